"""Probe for exercise 4: run_epoch evaluating and training, on unshuffled loaders with a short
last batch, with plain Linear models (exact values) and Dropout models (train/eval mode matters)."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.device_run import spied_run
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy

# name: (model, starting mode, learning rate or None to evaluate)
SCENARIOS = {
    "evaluate": ("linear", "train", None),
    "evaluate_dropout": ("dropout", "train", None),
    "train": ("linear", "eval", "lr"),
    "train_dropout": ("dropout", "eval", "lr"),
    "train_lr0": ("linear", "train", 0.0),
}


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    x, y = datasets.plane(data["n"], tuple(data["weights"]), data["bias"], seed=data["seed"])
    if ctx.device.type == "meta":
        _on_meta(module, ctx, x, y)
        return
    for name, (kind, mode, lr) in SCENARIOS.items():
        with ctx.scenario(name) as record:
            model = _model(kind, data["seed"]).train(mode == "train")
            ctx.save_state(f"{name}_before", values.state_tensors(model))
            optimizer = None
            if lr is not None:
                optimizer = torch.optim.SGD(model.parameters(), lr=data["lr"] if lr == "lr" else lr)
            loader = DataLoader(TensorDataset(x, y), batch_size=data["batch_size"], shuffle=False)
            with LoopSpy(model, optimizer=optimizer) as spy:
                loss = module.run_epoch(model, nn.MSELoss(), loader, optimizer=optimizer, device=ctx.device)
            record.update(loss_type=values.type_name(loss), loss=values.as_float(loss), events=spy.trace(model))
            ctx.save_state(name, values.state_tensors(model))


def _on_meta(module, ctx: ProbeContext, x: torch.Tensor, y: torch.Tensor) -> None:
    """run_epoch with device=meta, training: every tensor must reach meta (reading the loss raises)."""
    with ctx.scenario("train_on_meta") as record:
        model = _model("linear", ctx.inputs["seed"])
        optimizer = torch.optim.SGD(model.parameters(), lr=ctx.inputs["lr"])
        loader = DataLoader(TensorDataset(x, y), batch_size=ctx.inputs["batch_size"], shuffle=False)
        spied_run(ctx, record, model, lambda: module.run_epoch(
            model, nn.MSELoss(), loader, optimizer=optimizer, device=ctx.device), optimizer)


def _model(kind: str, seed: int) -> nn.Module:
    if kind == "linear":
        return datasets.seeded_linear(2, 1, seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1))
