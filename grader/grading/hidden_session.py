"""The one object a grading hands the hidden suites: every option resolved once, typed.

``run_hidden_suites`` registers it as a pytest plugin; on ``pytest_configure`` it puts itself in
the config's stash (and fixes the seed the suites draw their inputs from), and the hidden conftest
reads it back with ``session_of(config)``. No option travels as a command-line string.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.hidden import draw
from grader.launch.limits import Limits

_SESSION = pytest.StashKey["HiddenSession"]()


@dataclass(frozen=True)
class HiddenSession:
    """What to grade and how: the learner's folder, the resolved device and sandbox, the cores
    the grading may use, how many children run side by side (``lanes``), the child's limits and
    the grading's seed. The cores are shared by the grading process and its lanes: a child gets
    ``threads // (lanes + 1)`` torch threads (more would spin against the judging for a core)."""

    submission: Path
    device: str = "cpu"
    sandbox: str = "none"
    threads: int = 1
    lanes: int = 1
    limits: Limits = field(default_factory=Limits)
    seed: int = draw.DEFAULT_SEED

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[_SESSION] = self
        draw.use_seed(self.seed)  # before any suite is imported: each draws its INPUTS from it


    @property
    def child_threads(self) -> int:
        return max(1, self.threads // (max(1, self.lanes) + 1))


def session_of(config: pytest.Config) -> HiddenSession:
    """The grading's session; a run without one (a suite started by hand) grades the current folder."""
    return config.stash.get(_SESSION, None) or HiddenSession(Path("."))
