"""The autograder test cells of a looplab nbgrader notebook call ``assert_check`` from here.

Inside the Jupyter kernel, the learner's functions were defined by the notebook's code cell.
The source of every cell that defined one of them (IPython keeps it in ``linecache``) is written
to a temporary ``exNN_*.py`` module and graded once with ``grade_submission``, exactly like a
``.py`` submission; each test cell then passes when its check got full marks and fails with the
check's message otherwise. Nothing is written to the kernel's stderr: nbgrader gives 0 to a test
cell with stderr output.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator

from grader.curriculum import Exercise, exercise
from grader.grading.grade import GradeOptions, grade_submission
from grader.exports.notebook_learner_checks import cell_source
from grader.results import PASSED, CheckResult, SubmissionResult

_GRADED: dict[tuple[str, str, str], SubmissionResult] = {}


class CheckNotPassed(AssertionError):
    """A hidden check that did not give full marks; the message is the check's feedback."""


def assert_check(key: str, name: str, namespace: dict, device: str = "cpu") -> None:
    """Pass when hidden check ``key.name`` gives full marks to the functions in ``namespace``."""
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    item = exercise(key)
    source = module_source(item, namespace)
    if not source:
        raise CheckNotPassed(f"none of {', '.join(item.functions)} is defined: run the code cell "
                             "with your solution first (it must run without an error)")
    check = _find(_graded(item, source, device), key, name)
    print(f"{check.key}: {check.title} ({check.points:g}/{check.max_points:g} points)")
    if check.status != PASSED or check.points < check.max_points:
        raise CheckNotPassed(check.message or f"this check {check.status}")


def module_source(item: Exercise, namespace: dict) -> str:
    """The text of every cell that defined one of the exercise's functions, in first-use order."""
    return cell_source(item.functions, namespace)


def _graded(item: Exercise, source: str, device: str) -> SubmissionResult:
    digest = hashlib.sha256(source.encode()).hexdigest()
    if (item.key, device, digest) not in _GRADED:
        with tempfile.TemporaryDirectory(prefix="looplab-notebook-") as folder:
            Path(folder, item.filename).write_text(source)
            options = GradeOptions(device=device, exercises=(item.key,), threads=os.cpu_count() or 1)
            with _stderr_silenced():
                result = grade_submission(Path(folder), options, learner="notebook")
        _GRADED[(item.key, device, digest)] = result
    return _GRADED[(item.key, device, digest)]


def _find(result: SubmissionResult, key: str, name: str) -> CheckResult:
    if result.error:
        raise CheckNotPassed(f"the grader could not grade this notebook: {result.error}")
    for check in result.checks:
        if check.exercise == key and check.name == name:
            return check
    raise CheckNotPassed(f"the hidden suite of {key} has no check {name!r}: regenerate the course")


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send everything written to stderr, by Python or by child processes, nowhere."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
