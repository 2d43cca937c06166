"""``looplab watch``'s session: after each save, run the current exercise's visible tests and report.

The session reacts to one change at a time (``on_change``), so it is tested without waiting for
real saves; the command feeds it the file-system events that watchdog sees.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

from grader.commands.learner_folder import helper

_EXERCISE_MODULE = re.compile(r"^(ex\d\d)_\w+\.py$")
RUN_LIMIT_S = 1800  # a whole exercise's tests; each test has its own, shorter limit

Runner = Callable[[Path, str], subprocess.CompletedProcess]


def run_visible_tests(folder: Path, key: str) -> subprocess.CompletedProcess:
    """``pytest <folder> -m <key>`` in a fresh process; the plugin records what it found."""
    command = [sys.executable, "-m", "pytest", str(folder), "-m", key, "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, "LOOPLAB_TARGET": ""}
    return subprocess.run(command, cwd=folder.parent, capture_output=True, text=True, env=env,
                          timeout=RUN_LIMIT_S)


def exercise_key(path: Path) -> str | None:
    """``ex03`` for ``ex03_minibatches.py``; None for tests, hints and other files."""
    match = _EXERCISE_MODULE.match(path.name)
    return match.group(1) if match else None


class WatchSession:
    """Which exercise is current, and what to say after each run of its tests."""

    def __init__(self, folder: Path, run_tests: Runner = run_visible_tests,
                 say: Callable[[str], None] = print) -> None:
        self.folder, self.run_tests, self.say = folder, run_tests, say
        self._record, self._progress = helper(folder, "_record"), helper(folder, "_progress")
        tracker = self._progress.Progress(folder)
        self.modules, self.titles = tracker.modules(), tracker.titles()
        self.current: str | None = None

    def start(self) -> None:
        """Begin at the first exercise not done yet, and run it."""
        self.current = self._record.RunRecord(self.folder).current(self.modules)
        self.check()

    def on_change(self, path: Path) -> bool:
        """One saved file: re-run the current exercise if an exercise module changed."""
        key = exercise_key(path)
        if key is None or path.parent.resolve() != self.folder or key not in self.modules:
            return False
        self.current = self.current or key
        self.check()
        return True

    def check(self) -> None:
        """Run the current exercise; while it passes, move on to the next one not done."""
        while self.current is not None:
            completed = self.run_tests(self.folder, self.current)
            run = self._record.RunRecord(self.folder).load().get(self.current)
            if completed.returncode not in (0, 1) or run is None:
                self._say_lines(self._could_not_run(completed))
                return
            if run.status != self._record.DONE:
                self._say_lines(self._report(self.current, run))
                return
            passed, self.current = self.current, self._record.RunRecord(self.folder).current(self.modules)
            self.say(f"{passed} passes its visible tests." + (f" On to {self.current}." if self.current else ""))
        self._say_lines(["Every exercise passes its visible tests. Hand them in: the grader checks "
                         "more, on data your code has not seen.", self._bar()])

    def _report(self, key: str, run) -> list[str]:
        module = self.modules[key]
        lines = ["", f"-- {key}  {self.titles[key]}  (exercises/{module.name})"]
        if run.first_failure:
            lines.append(f"Failing: {run.first_failure['test']}")
            lines += [f"  {line}" for line in run.first_failure["message"].splitlines()]
        else:
            lines.append(f"Not started: {run.not_started_message}")
        lines += self._progress.hint_lines(self.folder, key, module.stem, run)
        total = run.passed + run.failed + run.not_started
        lines.append(f"{self._bar()}; {key}: {run.passed} of {total} tests pass")
        return lines + [f"Save exercises/{module.name} to test it again (Ctrl-C stops watching)."]

    def _could_not_run(self, completed: subprocess.CompletedProcess) -> list[str]:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-15:]
        return ["", f"pytest could not run {self.current}'s tests (exit status {completed.returncode}):",
                *[f"  {line}" for line in tail]]

    def _bar(self) -> str:
        record = self._record.RunRecord(self.folder)
        runs = record.load()
        done = sum(record.is_done(key, module, runs) for key, module in self.modules.items())
        return self._progress.progress_bar(done, len(self.modules))

    def _say_lines(self, lines: list[str]) -> None:
        for line in lines:
            self.say(line)
