"""The hidden checks of an exercise as data (name, title, points), read by collecting its suite.

Exports to other graders (nbgrader grade cells) need the checks before any submission is graded;
collecting the hidden suite with pytest gives them in file order, under the same names and
points that ``grade_submission`` reports.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from grader.grading.hidden_suite import HIDDEN_DIR, suite_file


@dataclass(frozen=True)
class CheckSpec:
    """One hidden check as a grader outside looplab sees it."""

    exercise: str
    name: str
    title: str
    points: float
    needs_cuda: bool = False

    @property
    def key(self) -> str:
        return f"{self.exercise}.{self.name}"


class _Collector:
    """A pytest plugin that keeps the collected items."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = list(session.items)


def has_suite(key: str) -> bool:
    return suite_file(key).exists()


def checks_of(key: str) -> list[CheckSpec]:
    """The hidden checks of exercise ``key`` in file order; [] when it has no hidden suite."""
    if not has_suite(key):
        return []
    collector = _Collector()
    code = pytest.main([str(suite_file(key)), "--collect-only", "-o", "addopts=",
                        "-p", "no:cacheprovider", "-p", "no:terminal", "--rootdir", str(HIDDEN_DIR)],
                       plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise RuntimeError(f"collecting the hidden suite of {key} failed (pytest exit code {code})")
    return [_spec(key, item) for item in collector.items]


def _spec(key: str, item: pytest.Item) -> CheckSpec:
    marker = item.get_closest_marker("points")
    doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
    name = item.name.removeprefix("test_")
    title = doc[0].rstrip(".") if doc else name.replace("_", " ")
    return CheckSpec(key, name, title, float(marker.args[0]) if marker else 1.0,
                     needs_cuda=item.get_closest_marker("cuda") is not None)
