"""Exercise 6: Device handling.

A model and every tensor it meets must live on the same device. Pick a device (CUDA, then
Apple's MPS, then CPU; ``torch.cuda.is_available()`` and ``torch.backends.mps.is_available()``
say what is there), move each batch to it, and train with the model moved there too.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


def pick_device(prefer: str = "auto") -> torch.device:
    """For "auto": cuda, else mps, else cpu; "cpu"/"cuda"/"mps" as asked, ValueError if missing."""
    ### BEGIN SOLUTION
    available = {"cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available(),
                 "cpu": True}  # in order of preference
    if prefer == "auto":
        return torch.device(next(name for name, ok in available.items() if ok))
    if prefer not in available:
        raise ValueError(f"unknown device {prefer!r}: use 'auto', 'cpu', 'cuda' or 'mps'")
    if not available[prefer]:
        raise ValueError(f"device {prefer!r} was asked for but is not available on this machine")
    return torch.device(prefer)
    ### END SOLUTION


def move_batch(batch: tuple[torch.Tensor, ...],
               device: torch.device | str) -> tuple[torch.Tensor, ...]:
    """Every tensor of the batch, in order, moved to ``device``."""
    ### BEGIN SOLUTION
    return tuple(tensor.to(device) for tensor in batch)
    ### END SOLUTION


def train_on_device(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                    loader: DataLoader, epochs: int, device: torch.device | str) -> list[float]:
    """Move the model and each batch to ``device`` and train in train mode; return each epoch's
    per-sample mean loss."""
    ### BEGIN SOLUTION
    model.to(device)
    model.train()
    losses = []
    for _ in range(epochs):
        total, count = torch.zeros((), device=device), 0
        for batch in loader:
            x, y = move_batch(batch, device)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(x)  # summed on the device: no sync per batch
            count += len(x)
        losses.append(total.item() / count)
    return losses
    ### END SOLUTION
