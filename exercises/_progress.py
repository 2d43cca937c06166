"""Per-exercise progress shown after the last test: what passes, what to do next, and a hint.

Exercises whose stubs still raise NotImplementedError are "not started": one line each, before
the table of the exercises begun. The hint is the one named by the first failing test.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from _hints import HintDepth, hint_file, read_sections, section_for
from _record import NOT_STARTED, TO_DO, ExerciseRun, RunRecord, fingerprint


class Progress:
    """Collects one run's visible-test outcomes per exercise key (``ex03``) and summarises them."""

    def __init__(self, exercises_dir: Path) -> None:
        self.exercises_dir = exercises_dir
        self.runs: dict[str, ExerciseRun] = defaultdict(ExerciseRun)

    @property
    def failed(self) -> dict[str, int]:
        """Exercise key -> failed tests (a test of a stub not started yet is not counted)."""
        return {key: run.failed for key, run in self.runs.items()}

    def selected(self, key: str | None, count: int = 1) -> None:
        if key:
            self.runs[key].selected += count

    def deselected(self, key: str | None, count: int = 1) -> None:
        if key:
            self.runs[key].deselected += count

    def record(self, key: str | None, report, not_started: bool = False) -> None:
        """Count one report (a test's call, or a failed set-up or tear-down)."""
        if key is None:
            return
        run, test = self.runs[key], report.nodeid.split("::")[-1]
        run.reported.append(test)
        if report.skipped:
            run.skipped += 1
        elif not_started:
            run.not_started += 1
            run.not_started_message = run.not_started_message or _stub_message(report)
        elif report.failed:
            run.failed += 1
            run.first_failure = run.first_failure or {"test": test, "message": str(report.longrepr)}
        elif report.when == "call":
            run.passed += 1

    def save(self, target: Path) -> None:
        """Write this run into ``.looplab/record.json`` when it tested the learner's exercises."""
        ran = {key: run for key, run in self.runs.items() if run.reported}
        if target != self.exercises_dir or not ran:
            return
        modules = self.modules()
        for key, run in ran.items():
            run.fingerprint = fingerprint(modules[key]) if key in modules else ""
        try:
            RunRecord(self.exercises_dir).update(ran)
        except OSError:  # a read-only copy of the exercises: the run still reports, nothing is kept
            pass

    def modules(self) -> dict[str, Path]:
        """Exercise key -> stub file, in curriculum order."""
        files = sorted(self.exercises_dir.glob("ex[0-9][0-9]_*.py"))
        return {path.stem.split("_", 1)[0]: path for path in files}

    def titles(self) -> dict[str, str]:
        return {key: _title(path) for key, path in self.modules().items()}

    def summary_lines(self, target: Path) -> list[str]:
        seen = [key for key in self.modules() if key in self.runs and self.runs[key].reported]
        if not seen:
            return []
        lines = [""] + not_started_lines({key: self.runs[key] for key in seen}, self.titles())
        lines += [f"looplab progress ({target.name}/)"]
        lines += [table_row(key, self.titles()[key], self.runs[key]) for key in seen
                  if self.runs[key].status != NOT_STARTED]
        return lines + self._next_step(seen, target)

    def _next_step(self, seen: list[str], target: Path) -> list[str]:
        todo = [key for key in seen if self.runs[key].status in (TO_DO, NOT_STARTED)]
        if todo:
            return next_exercise_lines(self.exercises_dir, todo[0], self.runs[todo[0]])
        following = self._following(seen, target)
        if following is None:
            return ["All exercises run here pass. Well done!"]
        passing = ", ".join(seen)
        path = self.modules()[following]
        return [f"{passing} {'passes' if len(seen) == 1 else 'pass'}. Next: {following}, "
                f"{self.titles()[following]} -> exercises/{path.name} (pytest exercises/ -m {following})"]

    def _following(self, seen: list[str], target: Path) -> str | None:
        """The first exercise after those run that is not known to pass (wrapping round)."""
        keys = list(self.modules())
        if set(keys) <= set(seen):
            return None
        after = keys.index(seen[-1]) + 1
        record = RunRecord(self.exercises_dir)
        runs = record.load() if target == self.exercises_dir else {}
        for key in keys[after:] + keys[:after]:
            if key not in seen and not record.is_done(key, self.modules()[key], runs):
                return key
        return None


def table_row(key: str, title: str, run: ExerciseRun | None, note: str = "") -> str:
    """``  ex03  Minibatches and DataLoader   4/6  passed  to do``."""
    if run is None:
        return f"  {key}  {title:<42} {note or 'not run yet'}"
    total = run.passed + run.failed + run.not_started
    return f"  {key}  {title:<42} {run.passed:>2}/{total:<2} passed  {note or run.status}"


def not_started_lines(runs: dict[str, ExerciseRun], titles: dict[str, str]) -> list[str]:
    """One line per exercise whose tests all met an untouched stub."""
    waiting = [key for key, run in runs.items() if run.status == NOT_STARTED]
    if not waiting:
        return []
    return ["Not started yet:"] + [f"  {key}  {titles[key]}: {runs[key].not_started_message}" for key in waiting]


def next_exercise_lines(exercises_dir: Path, key: str, run: ExerciseRun) -> list[str]:
    """``Next: ex03, ... -> exercises/ex03_minibatches.py`` and the hint of its first failing test."""
    module = next(exercises_dir.glob(f"{key}_*.py"))
    lines = [f"Next: {key}, {_title(module)} -> exercises/{module.name}"]
    return lines + hint_lines(exercises_dir, key, module.stem, run)


def hint_lines(exercises_dir: Path, key: str, module: str, run: ExerciseRun) -> list[str]:
    """The deepest level shown so far (at least the nudge) of the first failing test's hint."""
    sections = read_sections(hint_file(exercises_dir, module))
    failing_test = run.first_failure.get("test") or (run.reported[0] if run.reported else None)
    section = section_for(sections, failing_test, run.first_failure.get("message", ""))
    if section is None or not section.levels:
        return []
    level, count = max(1, HintDepth(exercises_dir).shown(key, section)), len(section.levels)
    lines = [f"Hint {level} of {count}: {section.levels[level - 1]}"]
    return lines + ([f"  (`looplab hint {key}` shows hint {level + 1})"] if level < count else [])


def progress_bar(done: int, total: int) -> str:
    """``Progress: [###-------] 3/10 exercises done``."""
    return f"Progress: [{'#' * done}{'-' * (total - done)}] {done}/{total} exercises done"


def _stub_message(report) -> str:
    """``implement run_epoch() in exercises/ex04_...py`` from the stub's NotImplementedError."""
    text = str(report.longrepr).removeprefix("Not implemented yet: ")
    return text.split(": ", 1)[1] if text[:2] == "ex" and ": " in text else text


def _title(path: Path) -> str:
    """The first line of the module's docstring, without a leading 'Exercise N:'."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    except SyntaxError:
        doc = ""
    first = doc.strip().splitlines()[0] if doc.strip() else path.stem
    title = first.split(":", 1)[1] if first.lower().startswith("exercise") else first
    return title.strip().rstrip(".")

