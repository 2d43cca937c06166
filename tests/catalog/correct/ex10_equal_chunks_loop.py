# Correct: equal-size chunks sliced by hand (ceil(N / micro_batches) samples, a shorter last one),
# each weighted by its share of the samples, and zero_grad after the step instead of before.
"""Exercise 10: Gradient accumulation."""
from __future__ import annotations

import math

import torch
from torch import nn


def accumulated_step(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                     x: torch.Tensor, y: torch.Tensor, micro_batches: int) -> float:
    """One optimizer step on (x, y) from ``micro_batches`` chunks; returns the full-batch loss."""
    model.train()
    size = math.ceil(len(x) / micro_batches)
    full_loss = 0.0
    for start in range(0, len(x), size):
        xc, yc = x[start:start + size], y[start:start + size]
        loss = loss_fn(model(xc), yc) * (len(xc) / len(x))
        loss.backward()
        full_loss += loss.item()
    optimizer.step()
    optimizer.zero_grad()
    return full_loss
