"""Asks for 50 GB three ways: one torch tensor, one bytearray, and 100 MB at a time."""
import torch


def train_step(model, loss_fn, optimizer, x, y):
    torch.empty(50 * 2**30 // 4)


def fit(model, loss_fn, optimizer, x, y, epochs):
    bytearray(50 * 2**30)


def fit_line(x, y, epochs=100, lr=0.1):
    chunks = []
    for _ in range(500):
        chunks.append(bytearray(100 * 2**20))
