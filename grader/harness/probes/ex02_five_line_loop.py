"""Probe for exercise 2: one step, a full-batch fit and fit_line, on the parent's hidden line."""
from __future__ import annotations

import torch
from torch import nn

from grader.harness import datasets, values
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    x, y = datasets.line(data["n"], data["slope"], data["intercept"], seed=data["seed"])
    for name, optimizer_name in (("train_step", "SGD"), ("train_step_adam", "Adam")):
        with ctx.scenario(name) as record:
            model = datasets.seeded_linear(1, 1, data["seed"])
            optimizer = _optimizer(optimizer_name, model, data["lr"])
            with LoopSpy(model, optimizer=optimizer) as spy:
                loss = module.train_step(model, nn.MSELoss(), optimizer, x, y)
            record.update(loss_type=values.type_name(loss), loss=values.as_float(loss), events=spy.trace(model))
            ctx.save_state(name, values.state_tensors(model))
    with ctx.scenario("train_step_stale") as record:
        model = datasets.seeded_linear(1, 1, data["seed"])
        optimizer = _optimizer("SGD", model, data["lr"])
        _leave_stale_gradients(model)  # as an earlier backward would: train_step must clear them
        with LoopSpy(model, optimizer=optimizer) as spy:
            module.train_step(model, nn.MSELoss(), optimizer, x, y)
        record.update(events=spy.trace(model))
        ctx.save_state("train_step_stale", values.state_tensors(model))
    with ctx.scenario("fit") as record:
        model = datasets.seeded_linear(1, 1, data["seed"])
        optimizer = torch.optim.SGD(model.parameters(), lr=data["lr"])
        with LoopSpy(model, optimizer=optimizer) as spy:
            losses = module.fit(model, nn.MSELoss(), optimizer, x, y, data["epochs"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model))
        ctx.save_state("fit", values.state_tensors(model))
    with ctx.scenario("fit_line") as record:
        with LoopSpy() as spy:
            model, losses = module.fit_line(x, y, epochs=data["line_epochs"], lr=data["lr"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model))
        ctx.save_state("fit_line", values.state_tensors(model))


def _optimizer(name: str, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    if name == "Adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    return torch.optim.SGD(model.parameters(), lr=lr)


def _leave_stale_gradients(model: nn.Module) -> None:
    """Non-zero ``.grad`` on every parameter, as if an earlier backward had run."""
    for parameter in model.parameters():
        parameter.grad = torch.full_like(parameter, 0.5)
