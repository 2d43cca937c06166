# expect-failed: matches_the_full_batch_step: weights differ
# expect-failed: returns_the_full_batch_loss: expected
# expect-failed: one_step_after_all_micro_batch_backwards: called optimizer.step() 4 times
# Bug: an optimizer step after every micro-batch instead of one per call.
"""Exercise 10: Gradient accumulation.

A batch too large for memory can be split into micro-batches whose gradients add up in
``.grad`` before a single optimizer step. Scale each micro-batch's mean loss by its share of
the samples, ``len(chunk) / len(x)``, and the sum is exactly the full batch's mean loss, so the
step is the same as one big-batch step, even when the chunks differ in size.
"""
from __future__ import annotations

import torch
from torch import nn


def accumulated_step(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                     x: torch.Tensor, y: torch.Tensor, micro_batches: int) -> float:
    """One optimizer step on (x, y) from ``micro_batches`` chunks; returns the full-batch loss."""
    model.train()
    total = 0.0
    for xc, yc in zip(torch.chunk(x, micro_batches), torch.chunk(y, micro_batches)):
        loss = loss_fn(model(xc), yc) * len(xc) / len(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total
