"""train_step multiplies matrices forever: a busy loop inside torch ops (the CPU limit stops it)."""
import torch


def train_step(model, loss_fn, optimizer, x, y):
    a = torch.randn(256, 256)
    while True:
        a = torch.mm(a, a).clamp_(-1, 1)


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
