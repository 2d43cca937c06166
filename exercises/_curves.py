"""Your loss curve in the terminal: the per-epoch losses a visible test observed, as a sparkline.

A visible test that trains calls ``record_losses(request, losses, reference)``; the summary after
the last test shows, under a failing exercise, the curve of its first failing test that recorded
one (else of any of its tests), beside the reference loop's on the same data::

      losses per epoch  yours ▇▇▇▇▇▇▇▇ 2.832 -> 2.832   reference █▅▃▂▂▁▁▁ (its shape)

Only the learner's own numbers are printed: the reference curve is shown as a shape, never as
values that could be pasted into a return statement.
"""
from __future__ import annotations

import math
from typing import Any

BARS = "▁▂▃▄▅▆▇█"
WIDTH = 24  # the most characters a sparkline takes; longer curves are sampled evenly
_PROPERTY = "looplab_losses"


def record_losses(request: Any, losses: Any, reference: list[float] | None = None) -> None:
    """Note the losses a test observed (and the reference loop's) for the summary's sparkline."""
    yours = plain_numbers(losses)
    if yours:
        request.node.user_properties.append((_PROPERTY, {"yours": yours, "reference": plain_numbers(reference)}))


def plain_numbers(values: Any) -> list[float]:
    """``values`` as finite floats (tensors read with float()), or [] when they are not numbers."""
    try:
        numbers = [float(value.detach()) if hasattr(value, "detach") else float(value) for value in values]
    except (TypeError, ValueError, RuntimeError):
        return []
    return numbers if all(math.isfinite(number) for number in numbers) else []


def sparkline(values: list[float], low: float, high: float) -> str:
    """One bar per value (at most WIDTH, sampled evenly), scaled from ``low`` to ``high``."""
    if len(values) > WIDTH:
        values = [values[round(i * (len(values) - 1) / (WIDTH - 1))] for i in range(WIDTH)]
    span = high - low
    levels = [0 if span <= 0 else round((value - low) / span * (len(BARS) - 1)) for value in values]
    return "".join(BARS[min(max(level, 0), len(BARS) - 1)] for level in levels)


def curve_line(curve: dict) -> str:
    """``losses per epoch  yours ▇▅▃ 2.832 -> 0.410   reference ▇▄▂ (its shape)`` on one scale."""
    yours, reference = curve["yours"], curve.get("reference") or []
    everything = yours + reference
    low, high = min(everything), max(everything)
    text = f"losses per epoch  yours {sparkline(yours, low, high)} {_ends(yours)}"
    if reference:
        text += f"   reference {sparkline(reference, low, high)} (its shape)"
    return text


def _ends(values: list[float]) -> str:
    return f"{values[0]:.4g} -> {values[-1]:.4g}"


class Curves:
    """The curves the visible tests recorded, per exercise key, failing tests' first."""

    def __init__(self) -> None:
        self.failing: dict[str, dict] = {}
        self.passing: dict[str, dict] = {}

    def record(self, key: str | None, report: Any) -> None:
        curve = next((value for name, value in report.user_properties if name == _PROPERTY), None)
        if key is None or curve is None or report.when != "call":
            return
        chosen = self.failing if report.failed else self.passing
        chosen.setdefault(key, curve)

    def line_for(self, key: str) -> str:
        """The sparkline line for one exercise, or "" when none of its tests recorded losses."""
        curve = self.failing.get(key) or self.passing.get(key)
        return curve_line(curve) if curve else ""

    def under_rows(self, lines: list[str], failing_keys: set[str]) -> list[str]:
        """The summary ``lines`` with each failing exercise's sparkline under its row."""
        out = []
        for line in lines:
            out.append(line)
            key = next((k for k in failing_keys if line.startswith(f"  {k}  ")), None)
            if key and self.line_for(key):
                out.append(f"      {self.line_for(key)}")
        return out
