"""train_step and fit are right; fit_line loops forever in pure Python (the wall limit stops it)."""
import torch
from torch import nn


def train_step(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model, loss_fn, optimizer, x, y, epochs):
    return [train_step(model, loss_fn, optimizer, x, y) for _ in range(epochs)]


def fit_line(x, y, epochs=100, lr=0.1):
    while True:
        pass
