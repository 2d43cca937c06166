"""Run the hidden pytest suites for one submission and collect one CheckResult per test."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grader.curriculum import exercise
from grader.grading.hidden_session import HiddenSession
from grader.grading.judging import CheckFailed
from grader.grading.loss_curves import CurveCollector
from grader.results import FAILED, PASSED, SKIPPED, CheckResult

HIDDEN_DIR = Path(__file__).resolve().parent.parent / "hidden"
NEEDS_MNIST = ("ex08",)  # exercises whose hidden suite trains and measures on MNIST


def suite_file(key: str) -> Path:
    """The hidden suite of ``key``, named after the exercise's module: test_ex03_minibatches.py."""
    return HIDDEN_DIR / f"test_{exercise(key).module}.py"


class CheckCollector:
    """A pytest plugin that turns each hidden test's outcome into a CheckResult."""

    def __init__(self) -> None:
        self.checks: list[CheckResult] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.checks.append(_check_result(item, report, call))
        return report


def run_hidden_suites(session: HiddenSession, keys: list[str], curves: list | None = None) -> list[CheckResult]:
    """Every hidden check of the given exercises, judged against ``session.submission``, on the
    hidden inputs drawn from ``session.seed``; each training exercise's loss curve is appended to
    ``curves`` when a list is given (``grader.grading.loss_curves``)."""
    collector, curve_collector = CheckCollector(), CurveCollector()
    _forget_suites()
    args = [str(suite_file(key)) for key in _longest_first(keys) if suite_file(key).exists()]
    # --confcutdir: only the hidden suites' conftest is read, never one from the learner's folder.
    args += ["-o", "addopts=", "-p", "no:cacheprovider", "-p", "no:terminal",
             f"--rootdir={HIDDEN_DIR}", f"--confcutdir={HIDDEN_DIR}", "-o", "timeout=0"]
    plugins = [session, collector] + ([curve_collector] if curves is not None else [])
    pytest.main(args, plugins=plugins)
    if curves is not None:
        order = {exercise(key).key: index for index, key in enumerate(keys)}
        ranked = sorted(curve_collector.curves, key=lambda curve: order.get(curve.exercise, len(order)))
        curves.extend(curve.to_dict() for curve in ranked)
    return collector.checks


def _longest_first(keys: list[str]) -> list[str]:
    """The suites in the order pytest collects and judges them: those trained on MNIST first, so
    their child (seconds, where the others take a fraction of one) starts before the rest are
    imported and is judged as soon as it ends, while the others' children run (beside it, where
    there are lanes to spare). The checks are reported in the curriculum's order all the same."""
    return sorted(keys, key=lambda key: exercise(key).key not in NEEDS_MNIST)


def _forget_suites() -> None:
    """Drop suites imported by an earlier grading: each grading imports them on its own seed."""
    for name in [name for name in sys.modules if name.startswith("grader.hidden.test_")]:
        del sys.modules[name]


def _check_result(item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo) -> CheckResult:
    marker = item.get_closest_marker("points")
    max_points = float(marker.args[0]) if marker else 1.0
    module = getattr(item, "module", None)
    doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
    name = item.name.removeprefix("test_")
    title = doc[0].rstrip(".") if doc else name.replace("_", " ")
    exercise = getattr(module, "EXERCISE", "?")
    if report.passed:
        return CheckResult(exercise, name, title, max_points, max_points, PASSED)
    if report.skipped:
        return CheckResult(exercise, name, title, max_points, 0.0, SKIPPED, _skip_reason(report))
    return CheckResult(exercise, name, title, max_points, 0.0, FAILED, _failure_message(call))


def _failure_message(call: pytest.CallInfo) -> str:
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, CheckFailed):
        return str(error)
    if isinstance(error, AssertionError):
        return str(error).split("\nassert ", 1)[0].strip() or "an expectation was not met"
    return (f"the grader could not judge this check from what your code returned "
            f"({type(error).__name__}: {error})")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
