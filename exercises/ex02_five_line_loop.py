"""Exercise 2: The five-line loop.

Every PyTorch training step is the same five lines: forward, loss, zero_grad, backward, step.
Write one step, then a full-batch fit that repeats it, then a helper that builds the whole
recipe for a line: ``Linear(1, 1)`` + ``MSELoss`` + ``SGD(lr=0.1)``.
Decided: call the model, ``model(x)``, not ``model.forward(x)``: hooks on a model (the checker's,
and many libraries') run only through ``model(x)``. ``train_step`` may be handed a model whose
``.grad`` still holds an earlier backward's gradients: clear them before ``loss.backward()``.
"""
from __future__ import annotations

import torch
from torch import nn


def train_step(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
               x: torch.Tensor, y: torch.Tensor) -> float:
    """Run one optimisation step on (x, y) and return the loss before the step, as a float."""
    # TODO(ex02): implement train_step()
    raise NotImplementedError("ex02: implement train_step() in exercises/ex02_five_line_loop.py")


def fit(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
        x: torch.Tensor, y: torch.Tensor, epochs: int) -> list[float]:
    """Full-batch training: one train_step per epoch; returns the loss of every epoch."""
    # TODO(ex02): implement fit()
    raise NotImplementedError("ex02: implement fit() in exercises/ex02_five_line_loop.py")


def fit_line(x: torch.Tensor, y: torch.Tensor, epochs: int = 100,
             lr: float = 0.1) -> tuple[nn.Linear, list[float]]:
    """Build Linear(1, 1), MSELoss and SGD(lr), fit (x, y) full-batch; return (model, losses)."""
    # TODO(ex02): implement fit_line()
    raise NotImplementedError("ex02: implement fit_line() in exercises/ex02_five_line_loop.py")
