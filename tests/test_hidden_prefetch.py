"""The hidden suites start each exercise's child ahead of time, once, in a background thread."""
import threading

import grader.hidden.conftest as hidden_conftest
from grader.grading.hidden_session import HiddenSession
from grader.grading.hidden_suite import run_hidden_suites
from grader.paths import SOLUTIONS_DIR


def test_each_child_runs_once_ahead_of_its_checks(monkeypatch):
    real_run_child = hidden_conftest.run_child
    threads = []

    def recording_run_child(request, limits):
        threads.append((request.exercise, request.device, threading.current_thread().name))
        return real_run_child(request, limits)

    monkeypatch.setattr(hidden_conftest, "run_child", recording_run_child)
    checks = run_hidden_suites(HiddenSession(SOLUTIONS_DIR, threads=1), ["ex02", "ex06"])
    assert checks and all(c.status in ("passed", "skipped") for c in checks), [c.message for c in checks]
    ahead = [(key, device) for key, device, name in threads if name.startswith("looplab-children")]
    assert ahead == [("ex02", "cpu"), ("ex06", "cpu")]
    # ex06 also runs a second child on the meta device, which is not planned ahead
    assert [(k, d) for k, d, name in threads if not name.startswith("looplab-children")] == [("ex06", "meta")]
