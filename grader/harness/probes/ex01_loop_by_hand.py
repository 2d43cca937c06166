"""Probe for exercise 1: fit_python and fit_numpy on the parent's hidden line, and with lr=0."""
from __future__ import annotations

import types
from typing import Any

import numpy as np

from grader.harness import values
from grader.harness.probe import ProbeContext
from grader.harness.spy import TorchCalls

FUNCTIONS = ("fit_python", "fit_numpy")


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    for function in FUNCTIONS:
        for case in ("line", "lr0"):
            with ctx.scenario(f"{function}_{case}") as record:
                given = data[case]
                xs, ys = given["xs"], given["ys"]
                if function == "fit_numpy":
                    xs, ys = np.array(xs), np.array(ys)
                with TorchCalls() as torch_calls:
                    returned = getattr(module, function)(xs, ys, **given["kwargs"])
                record.update(_describe_fit(returned), torch_calls=torch_calls.names())
    with ctx.scenario("imports") as record:
        record["torch_names"] = sorted(name for name, value in vars(module).items() if _from_torch(value))


def _describe_fit(returned: Any) -> dict:
    """(w, b, losses) as plain data: exact types for the type check, numbers for the others."""
    if type(returned) not in (tuple, list) or len(returned) != 3:
        return {"returned": values.type_name(returned)}
    w, b, losses = returned
    numbers = [_number(item) for item in losses] if type(losses) in (list, tuple) else None
    return {
        "returned": "triple", "w": _number(w), "b": _number(b),
        "w_type": values.type_name(w), "b_type": values.type_name(b),
        "losses": values.describe_list(losses),
        "loss_numbers": None if numbers is None or None in numbers else numbers,
    }


def _number(value: Any) -> float | None:
    """A float from an exact Python or NumPy scalar (so a float64 is judged once, by its type)."""
    if type(value) in (np.float64, np.float32, np.int64):
        value = float(value)
    return values.as_float(value)


def _from_torch(value: Any) -> bool:
    if isinstance(value, types.ModuleType):
        return value.__name__.split(".")[0] == "torch"
    owner = getattr(value, "__module__", None)
    return isinstance(owner, str) and owner.split(".")[0] == "torch"
