"""Turn a failed visible test into a short message a learner can act on, without torch internals."""
from __future__ import annotations

from pathlib import Path

import pytest


def explain_failure(excinfo: pytest.ExceptionInfo, target: Path) -> str:
    """One paragraph: what went wrong and where in the learner's own file."""
    error = excinfo.value
    if isinstance(error, NotImplementedError):
        return f"Not implemented yet: {error}"
    if isinstance(error, AssertionError):
        return _assertion_message(error)
    if isinstance(error, pytest.fail.Exception):
        return str(error)
    where = _learner_frame(excinfo, target)
    return f"Your code raised {type(error).__name__}: {error}{where}"


def _assertion_message(error: AssertionError) -> str:
    """The test's own sentence, without pytest's re-evaluated expression below it."""
    text = str(error)
    return text.split("\nassert ", 1)[0].strip() or "an expectation was not met"


def _learner_frame(excinfo: pytest.ExceptionInfo, target: Path) -> str:
    frames = [entry for entry in excinfo.traceback if Path(str(entry.path)).parent == target]
    if not frames:
        return ""
    last = frames[-1]
    source = str(last.statement).strip()
    return f"\n  at {Path(str(last.path)).name}, line {last.lineno + 1}: {source}"
