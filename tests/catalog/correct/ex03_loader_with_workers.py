# Correct: the loader serves batches from two worker processes (num_workers=2).
"""Exercise 3: Minibatches and DataLoader.

Instead of the whole dataset at once, train on minibatches served by a ``DataLoader``.
Build the loader from tensors (shuffled by a seeded ``torch.Generator`` so runs repeat), then
train for some epochs with one optimizer step per batch. With N samples and batch size B that
is ceil(N / B) steps per epoch: the last, shorter batch counts too. An epoch's loss is the
average over SAMPLES: add ``loss.item() * len(batch)`` up and divide by the number of samples.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True,
                seed: int = 0) -> DataLoader:
    """A DataLoader over TensorDataset(x, y), shuffled (if asked) by a generator seeded by seed."""
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle,
                      generator=generator, num_workers=2)


def train_epochs(model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                 loader: DataLoader, epochs: int) -> list[float]:
    """Train, one step per batch; return every epoch's loss averaged by sample count."""
    model.train()
    optimizer.zero_grad()
    epoch_losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=False)
            total += loss.item() * len(x)
            count += len(x)
        epoch_losses.append(total / count)
    return epoch_losses
