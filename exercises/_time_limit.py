"""A learner-sized time limit for each visible test, and a message naming what likely hangs.

Every visible test gets ``LIMIT_S`` seconds (MNIST's exercise more) through pytest-timeout's
marker, unless the test sets its own or the run was given ``--timeout`` / ``PYTEST_TIMEOUT``.
"""
from __future__ import annotations

import os
import re
import signal

import pytest

LIMIT_S = 30
LIMITS_S = {"ex08": 120}  # MNIST trains on thousands of digits
_TIMEOUT = re.compile(r"^Timeout \(>([\d.]+)s\) from pytest-timeout")


def limit_for(key: str) -> int:
    """Seconds a visible test of exercise ``key`` may take."""
    return LIMITS_S.get(key, LIMIT_S)


def apply_limit(item: pytest.Item, key: str, config: pytest.Config) -> None:
    """Give ``item`` its exercise's limit, unless the test or the run chose one."""
    chosen = config.getoption("timeout", None) is not None or os.environ.get("PYTEST_TIMEOUT")
    if chosen or item.get_closest_marker("timeout") is not None:
        return
    method = {"method": "signal"} if hasattr(signal, "SIGALRM") else {}
    item.add_marker(pytest.mark.timeout(limit_for(key), **method))


def timed_out_after(error: BaseException) -> float | None:
    """The limit in seconds when ``error`` is pytest-timeout stopping a test, else None."""
    match = _TIMEOUT.match(str(error)) if isinstance(error, pytest.fail.Exception) else None
    return float(match.group(1)) if match else None


def timeout_message(seconds: float, source: str, where: str) -> str:
    """What the learner reads when a test ran past its limit while at ``source`` (``where``)."""
    line = f"Stopped after {seconds:g} s: this test did not finish in time."
    if where:
        line += f" Your code was running {where}: {source}"
    if "iter(" in source or "next(" in source:
        cause = ("an iterator rebuilt forever: next(iter(loader)) inside a loop starts a new pass each "
                 "time and never reaches the end; make the iterator once, or write `for x, y in loader:`")
    elif source.startswith("while"):
        cause = "a loop that never ends: nothing inside this `while` makes its condition false"
    else:
        cause = ("a loop that never ends (a `while` whose condition never changes) or an iterator "
                 "rebuilt forever (next(iter(loader)) inside a loop starts the data over)")
    return f"{line}\n  Likely cause: {cause}."
