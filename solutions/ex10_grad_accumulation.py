"""Exercise 10: Gradient accumulation.

A batch too large for memory can be split into micro-batches whose gradients add up in
``.grad`` before a single optimizer step. Scale each micro-batch's mean loss by its share of
the samples, ``len(chunk) / len(x)``, and the sum is exactly the full batch's mean loss, so the
step is the same as one big-batch step, even when the chunks differ in size.
Decided: an extra forward without autograd (under ``torch.no_grad()``, to log a loss) is allowed;
every forward that builds a graph is a micro-batch's.
"""
from __future__ import annotations

import torch
from torch import nn


def accumulated_step(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                     x: torch.Tensor, y: torch.Tensor, micro_batches: int) -> float:
    """One optimizer step (train mode) on (x, y) from ``micro_batches`` chunks; returns the full-batch loss."""
    ### BEGIN SOLUTION
    model.train()
    optimizer.zero_grad()
    total = 0.0
    for xc, yc in zip(torch.chunk(x, micro_batches), torch.chunk(y, micro_batches)):
        loss = loss_fn(model(xc), yc) * len(xc) / len(x)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
    ### END SOLUTION
