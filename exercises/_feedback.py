"""Turn a failed visible test into a short message a learner can act on, without torch internals.

An error points at the deepest line of the learner's own exercise module (never the test
file), followed by advice for errors beginners meet often; a test stopped by its time limit
names the likely cause.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from _advice import advice_for
from _time_limit import timed_out_after, timeout_message

_EXERCISE_MODULE = re.compile(r"^ex\d\d_\w+\.py$")


def explain_failure(excinfo: pytest.ExceptionInfo, target: Path, key: str | None = None) -> str:
    """One paragraph: what went wrong and where in the learner's own file."""
    error = excinfo.value
    if is_untouched_stub(excinfo, target):
        return f"Not implemented yet: {error}"
    if isinstance(error, AssertionError):
        return _assertion_message(error)
    seconds = timed_out_after(error)
    if seconds is not None:
        source, where = _learner_line(excinfo, target)
        return timeout_message(seconds, source, where)
    if isinstance(error, pytest.fail.Exception):
        return str(error)
    return _error_message(excinfo, target, key)


def is_untouched_stub(excinfo: pytest.ExceptionInfo, target: Path) -> bool:
    """A NotImplementedError raised by an exercise module itself: a stub not started yet."""
    if not isinstance(excinfo.value, NotImplementedError) or not excinfo.traceback:
        return False
    return _is_exercise_module(Path(str(excinfo.traceback[-1].path)), target)


def _error_message(excinfo: pytest.ExceptionInfo, target: Path, key: str | None) -> str:
    error = excinfo.value
    text = f"Your code raised {type(error).__name__}: {error}"
    source, where = _learner_line(excinfo, target)
    if where:
        text += f"\n  at {where}: {source}"
    else:
        source, where = _test_line(excinfo)
        if where:
            text += f"\n  when the test used what your code returned: {source} ({where})"
    advice = advice_for(str(error), key)
    return text + (f"\n  Advice: {advice}" if advice else "")


def _assertion_message(error: AssertionError) -> str:
    """The test's own sentence, without pytest's re-evaluated expression below it."""
    text = str(error)
    return text.split("\nassert ", 1)[0].strip() or "an expectation was not met"


def _learner_line(excinfo: pytest.ExceptionInfo, target: Path) -> tuple[str, str]:
    """(source, "ex08_mnist.py, line 12") of the deepest frame in an exercise module, or ("", "")."""
    frames = [entry for entry in excinfo.traceback if _is_exercise_module(Path(str(entry.path)), target)]
    return _describe(frames[-1]) if frames else ("", "")


def _test_line(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    """(source, where) of the deepest frame in a visible test file, or ("", "")."""
    frames = [entry for entry in excinfo.traceback if Path(str(entry.path)).name.startswith("test_ex")]
    return _describe(frames[-1]) if frames else ("", "")


def _describe(entry) -> tuple[str, str]:
    source = " ".join(str(entry.statement).split())
    return source, f"{Path(str(entry.path)).name}, line {entry.lineno + 1}"


def _is_exercise_module(path: Path, target: Path) -> bool:
    return path.parent == target and _EXERCISE_MODULE.match(path.name) is not None
