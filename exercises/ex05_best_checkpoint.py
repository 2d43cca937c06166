"""Exercise 5: Keeping the best checkpoint.

Validation loss does not always fall until the end: keep the weights of the epoch with the
lowest validation loss and hand back the model in that state. Every epoch, train one pass
(train mode), then evaluate on the validation loader (eval mode, ``torch.no_grad()``); both
losses are averaged by sample count. A better validation loss saves a REAL copy of
``model.state_dict()`` (its tensors are the live parameters, which training keeps changing);
after the last epoch, load the best copy back into the model. Return a dict:
``{"best_val_loss": float, "best_epoch": int (1-based), "train_losses": [float per epoch],
"val_losses": [float per epoch]}``.
Decided: on a tie, any of the tied epochs may be kept (``<`` keeps the first, ``<=`` the last);
``best_epoch`` names the epoch whose weights are handed back.
"""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_with_best_checkpoint(model: nn.Module, loss_fn: nn.Module,
                               optimizer: torch.optim.Optimizer, train_loader: DataLoader,
                               val_loader: DataLoader, epochs: int,
                               device: str | torch.device = "cpu") -> dict:
    """Train, then restore the best-validation weights; the losses and the best epoch (1-based)."""
    # TODO(ex05): implement train_with_best_checkpoint()
    raise NotImplementedError("ex05: implement train_with_best_checkpoint() in exercises/ex05_best_checkpoint.py")


def fit_plane(device: str | torch.device = "cpu", seed: int = 0) -> dict:
    """The course's plane fit y = 3*x1 + 2*x2 + 5 (given); the result above plus "model"."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(240, 2, generator=generator)
    y = x @ torch.tensor([[3.0], [2.0]]) + 5 + 0.1 * torch.randn(240, 1, generator=generator)
    train_loader = DataLoader(TensorDataset(x[:192], y[:192]), batch_size=16, shuffle=True,
                              generator=torch.Generator().manual_seed(seed))
    val_loader = DataLoader(TensorDataset(x[192:], y[192:]), batch_size=16)
    with torch.random.fork_rng(devices=[]):  # seed the initial weights, leave the global RNG alone
        torch.manual_seed(seed)
        model = nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    result = train_with_best_checkpoint(model, nn.MSELoss(), optimizer, train_loader, val_loader,
                                        epochs=80, device=device)
    return {**result, "model": model}
