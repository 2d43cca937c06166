"""Learner-side pytest plugin: loads your exercise modules, explains failures, shows progress.

``pytest exercises/`` tests the stubs you fill in; ``pytest exercises/ --solutions`` (or
``LOOPLAB_TARGET=solutions``) runs the same visible tests against the reference solutions.
``pytest exercises/ -m ex03`` runs one exercise. Each run is kept in ``exercises/.looplab/``
for ``looplab watch``, ``looplab hint`` and ``looplab progress``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from _curves import Curves
from _feedback import explain_failure, is_untouched_stub
from _loader import ExerciseImportError, load_exercise
from _progress import Progress
from _time_limit import apply_limit

EXERCISES_DIR = Path(__file__).resolve().parent
SOLUTIONS_DIR = EXERCISES_DIR.parent / "solutions"
_progress = Progress(EXERCISES_DIR)
NO_SOLUTIONS = ("--solutions (or LOOPLAB_TARGET=solutions) runs the visible tests against a "
                f"solutions/ folder next to exercises/, and there is none here ({SOLUTIONS_DIR}): "
                "this copy of looplab has no reference solutions. Run `pytest exercises/` to test your own code.")
_curves = Curves()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--solutions", action="store_true",
                     help="run the visible tests against solutions/ instead of your exercises")


def pytest_configure(config: pytest.Config) -> None:
    if target_dir(config) == SOLUTIONS_DIR and not SOLUTIONS_DIR.is_dir():
        raise pytest.UsageError(NO_SOLUTIONS)
    for key, title in _progress.titles().items():
        config.addinivalue_line("markers", f"{key}: exercise {key[2:]}, {title}")


def target_dir(config: pytest.Config) -> Path:
    """Where the modules under test live: exercises/ or solutions/."""
    wants_solutions = config.getoption("--solutions") or os.environ.get("LOOPLAB_TARGET") == "solutions"
    return SOLUTIONS_DIR if wants_solutions else EXERCISES_DIR


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        key = _exercise_key(item)
        if key:
            item.add_marker(getattr(pytest.mark, key))
            apply_limit(item, key, config)


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        _progress.deselected(_exercise_key(item))


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        _progress.selected(_exercise_key(item))


@pytest.fixture(scope="module")
def ex(request: pytest.FixtureRequest):
    """The module under test for this test file (``test_ex02_*.py`` tests ``ex02_*.py``)."""
    module_name = Path(request.path).stem.removeprefix("test_")
    try:
        return load_exercise(target_dir(request.config) / f"{module_name}.py")
    except ExerciseImportError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    target, key = target_dir(item.config), _exercise_key(item)
    report.looplab_not_started = bool(call.excinfo) and report.failed and is_untouched_stub(call.excinfo, target)
    if report.failed and call.excinfo is not None:
        report.longrepr = explain_failure(call.excinfo, target, key)
    if report.when == "call" or report.failed:
        _progress.record(key, report, report.looplab_not_started)
        _curves.record(_exercise_key(item), report)
    return report


def pytest_report_teststatus(report: pytest.TestReport):
    """A test that met an untouched stub is "not started": one line per exercise, no traceback."""
    if getattr(report, "looplab_not_started", False):
        return "not started", "N", "NOT STARTED"
    return None


def pytest_sessionfinish(session: pytest.Session) -> None:
    _progress.save(target_dir(session.config))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    failing = {key for key, count in _progress.failed.items() if count}
    for line in _curves.under_rows(_progress.summary_lines(target_dir(config)), failing):
        terminalreporter.write_line(line)


def _exercise_key(item: pytest.Item) -> str | None:
    stem = Path(str(item.path)).stem
    return stem.split("_")[1] if stem.startswith("test_ex") else None
