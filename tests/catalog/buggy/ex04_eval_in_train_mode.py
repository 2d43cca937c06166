# expect-failed: evaluation_runs_in_eval_mode: evaluation forward passes ran in train mode
# Bug: evaluation never calls model.eval().
"""Exercise 4: Loss averaged by sample count.

``loss_fn`` (reduction ``'mean'``) gives the mean loss of one batch. Averaging those batch
means is wrong whenever the last batch is shorter: with 10 samples in batches of 4, 4 and 2,
the last two samples would weigh as much as the first four. Weigh each batch's loss by its
size instead: ``sum(loss.item() * len(batch)) / number_of_samples``.
Write one function for both uses. With an optimizer it trains (train mode, one step per
batch); without one it evaluates (eval mode, under ``torch.no_grad()``, no parameter changes).
Either way it moves the model and every batch to ``device`` first.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


def run_epoch(model: nn.Module, loss_fn: nn.Module, loader: DataLoader,
              optimizer: torch.optim.Optimizer | None = None,
              device: str | torch.device = "cpu") -> float:
    """One pass over loader, training if given an optimizer; the loss averaged by sample count."""
    training = optimizer is not None
    model.to(device)
    model.train()
    total, count = 0.0, 0
    with torch.set_grad_enabled(training):  # evaluation runs as under torch.no_grad()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            if training:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(x)
            count += len(x)
    return total / count
