"""A learner's copy of exercises/ in a temporary folder, with stubs filled from solutions/."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR

_COPIED = ("*.py", "*.hint.md")


def copy_exercises(parent: Path) -> Path:
    """``parent/exercises``: the stubs, visible tests, hints and plugin, without any run's record."""
    folder = parent / "exercises"
    folder.mkdir(parents=True)
    for pattern in _COPIED:
        for file in EXERCISES_DIR.glob(pattern):
            shutil.copyfile(file, folder / file.name)
    return folder.resolve()


def fill_from_solution(folder: Path, module: str, old: str = "", new: str = "") -> Path:
    """Put the reference solution of ``module`` into the copy, with ``old`` replaced by ``new``."""
    source = (SOLUTIONS_DIR / f"{module}.py").read_text()
    if old:
        assert old in source, f"solutions/{module}.py no longer contains {old!r}: update this test"
        source = source.replace(old, new)
    target = folder / f"{module}.py"
    target.write_text(source)
    return target


def run_visible_tests(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``pytest folder args`` as a learner runs it, from the folder above."""
    env = {**os.environ, "LOOPLAB_TARGET": ""}
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", *args],
                          cwd=folder.parent, capture_output=True, text=True, env=env, timeout=300)
