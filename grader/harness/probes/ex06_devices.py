"""Probe for exercise 6: pick_device, move_batch and train_on_device on the child's device.

Run once on the grading device (cpu or cuda) and once more on "meta", where tensors have shapes
but no values: a tensor left on the CPU then raises a device error, and reading a number
(``.item()``) raises too, which is expected and recorded rather than treated as a failure.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.device_run import spied_run
from grader.harness.pretend import imported_under, pretended as pretended_machine
from grader.harness.probe import ProbeContext

# (cuda available, mps available) pretended while calling pick_device("auto")
PRETENDED = ((True, False), (False, True), (False, False), (True, True))


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    if ctx.device.type != "meta":
        _pick_device(module, ctx)
        _move_batch(module, ctx, data)
    with ctx.scenario("train") as record:
        x, y = make_data(data)
        # handed in eval mode, as after an evaluation: training must switch train mode on
        model = datasets.seeded_linear(data["features"], 1, data["seed"]).eval()
        optimizer = torch.optim.SGD(model.parameters(), lr=data["lr"])
        loader = DataLoader(TensorDataset(x, y), batch_size=data["batch_size"])
        losses = spied_run(ctx, record, model, lambda: module.train_on_device(
            model, nn.MSELoss(), optimizer, loader, data["epochs"], ctx.device), optimizer)
        record["losses"] = values.describe_list(losses)
        ctx.save_state("train", values.state_tensors(model))


def _pick_device(module, ctx: ProbeContext) -> None:
    with ctx.scenario("pick_device") as record:
        record["cpu"] = _shown(module.pick_device(_fresh("cpu")))
        record["auto"] = _shown(module.pick_device(_fresh("auto")))
        record["available"] = [torch.cuda.is_available(), torch.backends.mps.is_available()]
        pretended, refused = [], {}
        for cuda, mps in PRETENDED:
            with _on_machine(module, ctx, cuda, mps) as on_machine:
                pretended.append(_shown(on_machine.pick_device("auto")))
        with _on_machine(module, ctx, False, False) as on_machine:
            for name in ("cuda", "mps"):
                refused[name] = _refusal(on_machine, name)
        with _on_machine(module, ctx, True, True) as on_machine:
            granted = {name: _shown(on_machine.pick_device(name)) for name in ("cuda", "mps")}
        record.update(pretended=pretended, refused=refused, granted=granted)


@contextmanager
def _on_machine(module, ctx: ProbeContext, cuda: bool, mps: bool):
    """The learner's module as imported on the pretended machine (answers kept at import agree)."""
    fresh = imported_under(ctx.learner_file, cuda, mps) or module
    with pretended_machine(cuda, mps, fresh):
        yield fresh


def _move_batch(module, ctx: ProbeContext, data: dict) -> None:
    with ctx.scenario("move_batch") as record:
        n = data["batch_size"]
        batch = (torch.ones(n, data["features"]), torch.zeros(n, 1), torch.arange(n))
        moved = module.move_batch(batch, torch.device("meta"))
        items = list(moved) if type(moved) in (list, tuple) else []
        record.update(
            type=values.type_name(moved),
            devices=[str(t.device) if isinstance(t, torch.Tensor) else values.type_name(t) for t in items],
            shapes=[list(t.shape) if isinstance(t, torch.Tensor) else None for t in items],
            dtypes=[str(t.dtype) if isinstance(t, torch.Tensor) else None for t in items],
        )


def make_data(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """The regression data train_on_device gets: x [n, features], y = x @ weights + bias + noise, [n, 1]."""
    generator = torch.Generator().manual_seed(data["seed"])
    x = torch.randn(data["n"], data["features"], generator=generator)
    weights = torch.tensor(data["weights"]).reshape(-1, 1)
    y = x @ weights + data["bias"] + data["noise"] * torch.randn(data["n"], 1, generator=generator)
    return x, y


def _fresh(name: str) -> str:
    """``name`` as a string built at run time, as from a config file or the command line: equal to
    the literal, but not the same object (``prefer is "auto"`` is not a comparison of text)."""
    return "".join(list(name))


def _refusal(module, name: str) -> str:
    """What pick_device(name) did on a machine without that device: "ValueError", or what it returned."""
    try:
        return f"returned {_shown(module.pick_device(name))}"
    except ValueError:
        return "ValueError"
    except Exception as error:  # noqa: BLE001 - another exception is reported by its name
        return f"raised {type(error).__name__}"


def _shown(device) -> str:
    """A device as text ("cpu", "cuda"), or the type name of whatever came back instead."""
    if isinstance(device, torch.device):
        return device.type
    return f"a {values.type_name(device)}"
