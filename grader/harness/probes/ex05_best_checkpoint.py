"""Probe for exercise 5: train_with_best_checkpoint on data whose validation loss falls, then
rises (the best epoch is not the last), with a Dropout model (modes matter) and with lr=0.

Every forward of the model is also recorded with the loader it was reading from ("train" or
"val": the one that handed out the latest batch), so the suite judges each phase by its mode,
however many passes the loop makes.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.device_run import spied_run
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    train, val = data["train"], data["val"]
    x, y = datasets.plane(train["n"], tuple(train["weights"]), train["bias"], seed=train["seed"])
    vx, vy = datasets.plane(val["n"], tuple(val["weights"]), val["bias"], seed=val["seed"])
    if ctx.device.type == "meta":
        _on_meta(module, ctx, (x, y), (vx, vy))
        return
    for name, spec in data["scenarios"].items():
        with ctx.scenario(name) as record:
            model = _model(spec["model"], data["seed"]).train(not spec["starts_in_eval"])
            optimizer = _optimizer(spec["optimizer"], model, spec["lr"])
            reading, forwards = {"phase": None}, []
            train_loader = _TaggedLoader(TensorDataset(x, y), "train", reading, batch_size=train["batch_size"])
            val_loader = _TaggedLoader(TensorDataset(vx, vy), "val", reading, batch_size=val["batch_size"])
            handle = model.register_forward_pre_hook(lambda module, args: forwards.append(
                {"phase": reading["phase"], "training": module.training, "grad": torch.is_grad_enabled()}))
            try:
                with LoopSpy(model, optimizer=optimizer) as spy:
                    result = module.train_with_best_checkpoint(model, nn.MSELoss(), optimizer, train_loader,
                                                               val_loader, spec["epochs"])
            finally:
                handle.remove()
            record.update(result=_describe_result(result), events=spy.trace(model), forwards=forwards)
            ctx.save_state(name, values.state_tensors(model))


def _on_meta(module, ctx: ProbeContext, train: tuple, val: tuple) -> None:
    """Two epochs with device=meta: every tensor must reach meta (reading a loss raises)."""
    with ctx.scenario("train_on_meta") as record:
        model = datasets.seeded_linear(2, 1, ctx.inputs["seed"])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        loaders = [DataLoader(TensorDataset(*tensors), batch_size=4) for tensors in (train, val)]
        spied_run(ctx, record, model, lambda: module.train_with_best_checkpoint(
            model, nn.MSELoss(), optimizer, *loaders, 2, device=ctx.device), optimizer)


class _TaggedLoader(DataLoader):
    """A plain, unshuffled DataLoader that notes in ``reading`` which phase handed out the latest batch."""

    def __init__(self, dataset, phase: str, reading: dict, batch_size: int) -> None:
        super().__init__(dataset, batch_size=batch_size, shuffle=False)
        self._phase, self._reading = phase, reading

    def __iter__(self):
        for batch in super().__iter__():
            self._reading["phase"] = self._phase
            yield batch


def _model(kind: str, seed: int) -> nn.Module:
    if kind == "zeros":
        model = nn.Linear(2, 1)
        with torch.no_grad():
            model.weight.zero_()
            model.bias.zero_()
        return model
    if kind == "linear":
        return datasets.seeded_linear(2, 1, seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1))


def _optimizer(name: str, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    if name == "Adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    return torch.optim.SGD(model.parameters(), lr=lr)


def _describe_result(result: Any) -> dict:
    """The returned dict as plain data: its keys, and each entry's type and value."""
    if type(result) is not dict:
        return {"type": values.type_name(result)}
    return {
        "type": "dict", "keys": sorted(str(key) for key in result),
        "best_val_loss": values.as_float(result.get("best_val_loss")),
        "best_val_loss_type": values.type_name(result.get("best_val_loss")),
        "best_epoch": result.get("best_epoch") if type(result.get("best_epoch")) is int else None,
        "best_epoch_type": values.type_name(result.get("best_epoch")),
        "train_losses": values.describe_list(result.get("train_losses")),
        "val_losses": values.describe_list(result.get("val_losses")),
    }
