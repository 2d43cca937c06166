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
    # TODO(ex06): implement pick_device()
    raise NotImplementedError("ex06: implement pick_device() in exercises/ex06_devices.py")


def move_batch(batch: tuple[torch.Tensor, ...],
               device: torch.device | str) -> tuple[torch.Tensor, ...]:
    """Every tensor of the batch, in order, moved to ``device``."""
    # TODO(ex06): implement move_batch()
    raise NotImplementedError("ex06: implement move_batch() in exercises/ex06_devices.py")


def train_on_device(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                    loader: DataLoader, epochs: int, device: torch.device | str) -> list[float]:
    """Move the model and each batch to ``device`` and train in train mode; return each epoch's
    per-sample mean loss."""
    # TODO(ex06): implement train_on_device()
    raise NotImplementedError("ex06: implement train_on_device() in exercises/ex06_devices.py")
