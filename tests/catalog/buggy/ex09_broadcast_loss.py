# expect-failed: regression_loss_matches_mse: broadcasts to [N, N]
# Bug left unfixed from the stub: regression_loss, [N, 1] minus [N] broadcasts to [N, N].
"""Exercise 9: Fix the loop.

Each function below runs without an error and still trains wrongly: the classic bugs of a
PyTorch loop. Read the TODO (what goes wrong), find the bug, repair it in place.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_full_batch(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                     x: torch.Tensor, y: torch.Tensor, epochs: int) -> list[float]:
    """Full-batch gradient descent: one step per epoch; returns each epoch's loss."""
    model.train()
    losses = []
    for _ in range(epochs):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def make_train_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                      seed: int = 0) -> DataLoader:
    """Batches of (x, y) in a new random order every epoch, reproducible from ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                      generator=generator)


def train_epochs(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                 loader: DataLoader, epochs: int) -> list[float]:
    """Minibatch training; returns each epoch's loss averaged over its samples."""
    model.train()
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * len(xb), count + len(xb)
        losses.append(total / max(count, 1))
    return losses


def regression_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error of predictions [N, 1] against targets [N], as a 0-dim tensor."""
    return ((prediction - target) ** 2).mean()


def collect_losses(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                   loader: DataLoader, epochs: int) -> list[float]:
    """Minibatch training; returns each epoch's loss averaged over its samples, as floats."""
    model.train()
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * len(xb), count + len(xb)
        losses.append(total / count)
    return losses
