"""Probe for exercise 3: the learner's loader read back through tagged samples, and train_epochs
on loaders the probe builds itself (an unshuffled one the parent can replay exactly)."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    _probe_loader(module, ctx, ctx.inputs["loader"])
    _probe_training(module, ctx, ctx.inputs["train"])


def _probe_loader(module, ctx: ProbeContext, data: dict) -> None:
    """x[:, 0] is each sample's index and y = -1 - index, so one pass reads back as an order."""
    n, batch_size, seed = data["n"], data["batch_size"], data["seed"]
    x = torch.arange(n, dtype=torch.float32).unsqueeze(1).repeat(1, 2)
    y = -1 - x[:, :1]
    with ctx.scenario("make_loader") as record:
        loader = module.make_loader(x, y, batch_size, seed=seed)
        record["length"] = _length(loader)
        record["first"], record["sizes"] = _pass(loader)
        record["second"], _ = _pass(loader)
        record["same_seed"], _ = _pass(module.make_loader(x, y, batch_size, seed=seed))
    with ctx.scenario("make_loader_unshuffled") as record:
        record["order"], record["sizes"] = _pass(module.make_loader(x, y, batch_size, shuffle=False, seed=seed))


def _probe_training(module, ctx: ProbeContext, data: dict) -> None:
    x, y = datasets.plane(data["n"], tuple(data["weights"]), data["bias"], seed=data["seed"])
    for name, lr in (("train_epochs", data["lr"]), ("train_epochs_lr0", 0.0)):
        with ctx.scenario(name) as record:
            model = datasets.seeded_linear(2, 1, data["seed"])
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            loader = DataLoader(TensorDataset(x, y), batch_size=data["batch_size"], shuffle=False)
            with LoopSpy(model, optimizer=optimizer) as spy:
                losses = module.train_epochs(model, nn.MSELoss(), optimizer, loader, data["epochs"])
            record.update(losses=values.describe_list(losses), events=spy.trace(model))
            ctx.save_state(name, values.state_tensors(model))
    with ctx.scenario("train_epochs_dropout") as record:
        torch.manual_seed(data["seed"])
        model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.2), nn.Linear(8, 1)).eval()
        optimizer = _fused_adamw(model)
        loader = DataLoader(TensorDataset(x, y), batch_size=data["batch_size"], shuffle=True,
                            generator=torch.Generator().manual_seed(data["seed"]))
        with LoopSpy(model, optimizer=optimizer) as spy:
            losses = module.train_epochs(model, nn.MSELoss(), optimizer, loader, data["epochs"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model))


def _fused_adamw(model: nn.Module) -> torch.optim.Optimizer:
    """AdamW with its fused kernel where this build has one for the CPU, else the plain one."""
    try:
        return torch.optim.AdamW(model.parameters(), lr=0.01, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(model.parameters(), lr=0.01)


def _length(loader) -> int | None:
    try:
        return int(len(loader))
    except TypeError:
        return None


def _pass(loader) -> tuple[list[int | None], list[int]]:
    """One epoch as sample indices (None where x and y no longer belong together) and batch sizes."""
    order, sizes = [], []
    for batch in loader:
        x, y = batch[0], batch[1]
        sizes.append(int(len(x)))
        for index, target in zip(x[:, 0].tolist(), y[:, 0].tolist()):
            order.append(int(index) if target == -1 - index else None)
    return order, sizes
