"""Probe for exercise 10: accumulated_step, twice in a row, on batches that do not split evenly."""
from __future__ import annotations

import torch
from torch import nn

from grader.harness import values
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    for case in ctx.inputs["cases"]:
        with ctx.scenario(case["name"]) as record:
            # handed in eval mode, as after an evaluation: the first call must switch train mode on
            model = start_model(case["model_seed"]).eval()
            optimizer = torch.optim.SGD(model.parameters(), lr=case["lr"])
            calls = []
            for x, y in batches(case):
                with LoopSpy(model, optimizer=optimizer) as spy:
                    loss = module.accumulated_step(model, nn.MSELoss(), optimizer, x, y, case["micro_batches"])
                calls.append({"loss_type": values.type_name(loss), "loss": values.as_float(loss),
                              "events": spy.trace(model)})
            record["calls"] = calls
            ctx.save_state(case["name"], values.state_tensors(model))


def start_model(seed: int) -> nn.Module:
    """A small seeded MLP: Linear(3, 4), Tanh, Linear(4, 2)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def batches(case: dict) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Two different batches of ``case["n"]`` samples, one per accumulated_step call."""
    generator = torch.Generator().manual_seed(case["data_seed"])
    out = []
    for _ in range(2):
        x = torch.randn(case["n"], 3, generator=generator)
        y = torch.cat([x.sum(1, keepdim=True).sin(), x[:, :1] * x[:, 1:2]], dim=1)
        out.append((x, y + case["noise"] * torch.randn(case["n"], 2, generator=generator)))
    return out
