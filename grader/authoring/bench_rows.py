"""A row of ``looplab bench``'s table (a pair of wall times and their ratio) and the run's options."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Row:
    """One measurement: a baseline and a candidate wall time, and what the ratio must reach."""

    name: str
    baseline: str
    baseline_s: float | None
    candidate: str
    candidate_s: float | None
    target: str = ""
    check: Callable[[float], bool] | None = field(default=None, repr=False)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_s or not self.candidate_s:
            return None
        return self.baseline_s / self.candidate_s

    @property
    def met(self) -> str:
        if self.check is None or self.ratio is None:
            return "-"
        return "yes" if self.check(self.ratio) else "NO"


@dataclass(frozen=True)
class BenchOptions:
    quick: bool = False
    device: str = "cpu"
    learners: int = 8  # learner-style submissions in the grade_all rows
    full_canonical: bool = False  # time all 5 canonical epochs instead of 1 x 5


def timed(function: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value
