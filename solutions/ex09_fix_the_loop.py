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
    ### BEGIN SOLUTION
    model.train()
    losses = []
    for _ in range(epochs):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION
    ### BEGIN STUB
    # # TODO(ex09): the first epoch leaves the weights unchanged and later steps overshoot.
    # model.train()
    # losses = []
    # for _ in range(epochs):
    #     loss = loss_fn(model(x), y)
    #     optimizer.step()
    #     loss.backward()
    #     losses.append(loss.item())
    # return losses
    ### END STUB


def make_train_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                      seed: int = 0) -> DataLoader:
    """Batches of (x, y) in a new random order every epoch, reproducible from ``seed``."""
    ### BEGIN SOLUTION
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                      generator=generator)
    ### END SOLUTION
    ### BEGIN STUB
    # # TODO(ex09): every epoch serves the samples in file order (sorted data: sorted batches).
    # generator = torch.Generator().manual_seed(seed)
    # return DataLoader(TensorDataset(x, y), batch_size=batch_size, generator=generator)
    ### END STUB


def train_epochs(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                 loader: DataLoader, epochs: int) -> list[float]:
    """Minibatch training; returns each epoch's loss averaged over its samples."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION
    ### BEGIN STUB
    # # TODO(ex09): after the first epoch the loss reads 0.0 and the weights stop changing.
    # model.train()
    # losses = []
    # batches = iter(loader)
    # for _ in range(epochs):
    #     total, count = 0.0, 0
    #     for xb, yb in batches:
    #         loss = loss_fn(model(xb), yb)
    #         optimizer.zero_grad()
    #         loss.backward()
    #         optimizer.step()
    #         total, count = total + loss.item() * len(xb), count + len(xb)
    #     losses.append(total / max(count, 1))
    # return losses
    ### END STUB


def regression_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error of predictions [N, 1] against targets [N], as a 0-dim tensor."""
    ### BEGIN SOLUTION
    return ((prediction.reshape(target.shape) - target) ** 2).mean()
    ### END SOLUTION
    ### BEGIN STUB
    # # TODO(ex09): a perfect prediction still gets a large loss.
    # return ((prediction - target) ** 2).mean()
    ### END STUB


def collect_losses(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                   loader: DataLoader, epochs: int) -> list[float]:
    """Minibatch training; returns each epoch's loss averaged over its samples, as floats."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION
    ### BEGIN STUB
    # # TODO(ex09): memory grows every epoch, the losses come back as tensors, and an epoch's
    # # loss is off when the last batch is smaller than the others.
    # model.train()
    # losses = []
    # for _ in range(epochs):
    #     batch_losses = []
    #     for xb, yb in loader:
    #         loss = loss_fn(model(xb), yb)
    #         optimizer.zero_grad()
    #         loss.backward()
    #         optimizer.step()
    #         batch_losses.append(loss)
    #     losses.append(sum(batch_losses) / len(batch_losses))
    # return losses
    ### END STUB
