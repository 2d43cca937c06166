"""looplab watch: each save re-runs the current exercise, reports its first failure and hint, moves on."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import _record  # exercises/ is on sys.path (tests/conftest.py)
import pytest
from learner_support import copy_exercises, fill_from_solution

from grader.paths import REPO_ROOT
from grader.commands.watch_session import WatchSession


@pytest.fixture
def folder(tmp_path) -> Path:
    return copy_exercises(tmp_path)


def module_of(folder: Path, key: str) -> Path:
    return next(folder.glob(f"{key}_*.py"))


class ScriptedRunner:
    """Stands in for pytest: records, as the plugin would, the next outcome scripted for each exercise."""

    def __init__(self, folder: Path, outcomes: dict[str, list[_record.ExerciseRun]], returncode: int = 1) -> None:
        self.folder, self.outcomes, self.returncode, self.calls = folder, outcomes, returncode, []

    def __call__(self, folder: Path, key: str) -> subprocess.CompletedProcess:
        self.calls.append(key)
        if self.outcomes.get(key):
            run = self.outcomes[key].pop(0)
            run.fingerprint = _record.fingerprint(module_of(folder, key))
            _record.RunRecord(folder).update({key: run})
        return subprocess.CompletedProcess(["pytest"], self.returncode, "ERROR: file or directory not found", "")


def failing(test: str, message: str, passed: int = 3) -> _record.ExerciseRun:
    return _record.ExerciseRun(passed=passed, failed=1, selected=passed + 1, reported=[test] * (passed + 1),
                               first_failure={"test": test, "message": message})


def passing(count: int) -> _record.ExerciseRun:
    return _record.ExerciseRun(passed=count, selected=count, reported=[f"test_{i}" for i in range(count)])


def not_started(message: str) -> _record.ExerciseRun:
    return _record.ExerciseRun(not_started=2, selected=2, reported=["test_a", "test_b"], not_started_message=message)


def test_the_first_run_shows_the_first_failure_its_hint_and_the_progress_line(folder):
    runner = ScriptedRunner(folder, {"ex01": [failing("test_learns_slope_and_intercept[fit_numpy]",
                                                      "weight 1.383, expected 2.0 +/- 0.1")]})
    said = []
    WatchSession(folder, runner, said.append).start()
    assert runner.calls == ["ex01"]
    assert "Failing: test_learns_slope_and_intercept[fit_numpy]" in said
    assert "  weight 1.383, expected 2.0 +/- 0.1" in said
    assert any(line.startswith("Hint 1 of 3: The loss of a batch is the mean") for line in said), said
    assert "Progress: [----------] 0/10 exercises done; ex01: 3 of 4 tests pass" in said


def test_a_save_that_makes_the_exercise_pass_moves_on_to_the_next(folder):
    runner = ScriptedRunner(folder, {"ex01": [failing("test_uses_no_torch", "your module uses PyTorch"), passing(9)],
                                     "ex02": [not_started("implement train_step() in exercises/ex02_five_line_loop.py")]})
    said = []
    session = WatchSession(folder, runner, said.append)
    session.start()
    said.clear()
    assert session.on_change(module_of(folder, "ex01")) is True
    assert runner.calls == ["ex01", "ex01", "ex02"]
    assert said[0] == "ex01 passes its visible tests. On to ex02."
    assert "Not started: implement train_step() in exercises/ex02_five_line_loop.py" in said
    assert "Progress: [#---------] 1/10 exercises done; ex02: 0 of 2 tests pass" in said


def test_saves_of_other_files_run_nothing(folder, tmp_path):
    runner = ScriptedRunner(folder, {"ex01": [failing("test_uses_no_torch", "uses PyTorch")]})
    session = WatchSession(folder, runner, lambda line: None)
    session.start()
    elsewhere = tmp_path / "ex01_loop_by_hand.py"
    for path in (folder / "test_ex01_loop_by_hand.py", folder / "ex01_loop_by_hand.hint.md",
                 folder / ".ex01_loop_by_hand.py.swp", elsewhere):
        assert session.on_change(path) is False, path
    assert runner.calls == ["ex01"]


def test_a_run_pytest_could_not_finish_shows_its_output(folder):
    said = []
    WatchSession(folder, ScriptedRunner(folder, {}, returncode=4), said.append).start()
    assert "pytest could not run ex01's tests (exit status 4):" in said
    assert "  ERROR: file or directory not found" in said


def test_looplab_watch_reruns_on_a_real_save_and_ends_when_all_pass(folder):
    """ex01-ex09 are recorded as done; watch starts at ex10, a real save makes it pass."""
    done = {}
    for module in sorted(folder.glob("ex0[1-9]_*.py")):
        fill_from_solution(folder, module.stem)
        key = module.stem[:4]
        done[key] = passing(1)
        done[key].fingerprint = _record.fingerprint(module)
    _record.RunRecord(folder).update(done)
    # A suite started in the background of a non-interactive shell inherits SIGINT ignored, and so
    # would the watcher: give it Ctrl-C's default, as in a learner's terminal.
    watcher = subprocess.Popen([sys.executable, "-m", "grader", "watch", "--folder", str(folder)], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "LOOPLAB_TARGET": ""},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = _lines_of(watcher)
    try:
        _wait_for(lines, "Save exercises/ex10_grad_accumulation.py to test it again")
        fill_from_solution(folder, "ex10_grad_accumulation")
        seen = _wait_for(lines, "Every exercise passes its visible tests")
        assert "ex10 passes its visible tests." in seen
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=30) == 0
    finally:
        watcher.kill()


def _lines_of(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout], daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, text: str, timeout_s: float = 120) -> list[str]:
    """Every line read until one containing ``text``; fails after ``timeout_s``."""
    seen, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            continue
        if text in seen[-1]:
            return seen
    pytest.fail(f"watch never printed {text!r}; it printed:\n" + "\n".join(seen))
