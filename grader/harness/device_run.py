"""Running a learner's function where reading a number may raise: the child's half of device
judging (``grader.grading.device_judging``). On the meta device tensors have shapes but no values,
so ``.item()`` raises; what was raised is recorded, not treated as a failure of the probe."""
from __future__ import annotations

from typing import Any, Callable

import torch

from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def raised_by(call: Callable[[], Any], ctx: ProbeContext) -> str | None:
    """What ``call()`` raised, described for the parent, or None."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - on meta, reading a number or .cpu() must raise
        return ctx.describe(error)
    return None


def spied_run(ctx: ProbeContext, record: dict, model: torch.nn.Module, call: Callable[[], Any],
              optimizer: torch.optim.Optimizer | None = None) -> Any:
    """``call()`` under a LoopSpy watching ``model``; ``record`` gets what it raised, the model's
    trace and the devices its weights ended on. Returns what ``call()`` returned (None if it raised)."""
    returned = []
    with LoopSpy(model, optimizer=optimizer) as spy:
        record["raised"] = raised_by(lambda: returned.append(call()), ctx)
    record.update(events=spy.trace(model), param_devices=sorted({str(p.device) for p in model.parameters()}))
    return returned[0] if returned else None
