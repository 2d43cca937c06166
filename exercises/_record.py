"""What the last visible-test run of each exercise found, kept in ``.looplab/record.json``.

``pytest exercises/`` writes it after the last test (for the exercises it ran); ``looplab watch``,
``looplab hint`` and ``looplab progress`` read it. Each entry keeps the fingerprint of the file
that was tested, so an exercise edited since its last run is not taken as done.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

DONE, TO_DO, NOT_STARTED, PART_RUN = "done", "to do", "not started", "part run"


@dataclass
class ExerciseRun:
    """One exercise's tests in one run: counts, its first failure and the tested file's fingerprint."""

    passed: int = 0
    failed: int = 0
    not_started: int = 0
    skipped: int = 0
    selected: int = 0
    deselected: int = 0
    reported: list[str] = field(default_factory=list)
    first_failure: dict = field(default_factory=dict)  # {"test": name, "message": text}
    not_started_message: str = ""
    fingerprint: str = ""

    @property
    def status(self) -> str:
        if self.failed:
            return TO_DO
        if self.not_started:
            return NOT_STARTED if not self.passed else TO_DO
        whole = self.selected and not self.deselected and len(set(self.reported)) >= self.selected
        return DONE if whole and self.passed else PART_RUN


def fingerprint(path: Path) -> str:
    """A short digest of a file's bytes ("" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


class RunRecord:
    """``exercises/.looplab/record.json``: exercise key -> its latest ExerciseRun."""

    def __init__(self, exercises_dir: Path) -> None:
        self.exercises_dir = exercises_dir
        self.path = exercises_dir / ".looplab" / "record.json"

    def load(self) -> dict[str, ExerciseRun]:
        try:
            raw = json.loads(self.path.read_text())
            return {key: ExerciseRun(**entry) for key, entry in raw.items()}
        except (OSError, ValueError, TypeError):
            return {}

    def update(self, runs: dict[str, ExerciseRun]) -> None:
        """Replace the entries of the exercises in ``runs``, keeping the others."""
        merged = {**self.load(), **runs}
        write_json(self.path, {key: asdict(run) for key, run in sorted(merged.items())})

    def current(self, modules: dict[str, Path]) -> str | None:
        """The first exercise (in ``modules``' order) not done on its file as it is now."""
        runs = self.load()
        return next((key for key, module in modules.items() if not self.is_done(key, module, runs)), None)

    def is_done(self, key: str, module: Path, runs: dict[str, ExerciseRun] | None = None) -> bool:
        """Whether the exercise's last run passed whole, on the file as it is now."""
        run = (self.load() if runs is None else runs).get(key)
        return bool(run) and run.status == DONE and run.fingerprint == fingerprint(module)


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON, replacing the file in one step (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=1))
    os.replace(partial, path)
