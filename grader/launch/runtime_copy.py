"""The runtime copy: all of the grader a child process may import, built in its scratch folder.

A copy of ``grader.harness`` (the child's side: supervisor and probes) and ``grader.digits``, and
the limits module under a private name (the zygote loads it by path, never as part of the
``grader`` package). Runs in the parent; spawned children and the zygote put the copy first on
``sys.path``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

_HARNESS = Path(__file__).resolve().parents[1] / "harness"
_LIMITS_FILE = Path(__file__).resolve().parent / "limits.py"
_DIGITS_FILE = Path(__file__).resolve().parents[1] / "digits.py"
RUNTIME_LIMITS = "_looplab_limits.py"


def copy_runtime(runtime: Path) -> None:
    """What a child may import of the grader: a copy of ``grader.harness`` and ``grader.digits``
    (and the limits module, loaded by path), nothing else. The one place that builds it."""
    shutil.copytree(_HARNESS, runtime / "grader" / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    (runtime / "grader" / "__init__.py").write_text("")
    shutil.copyfile(_DIGITS_FILE, runtime / "grader" / "digits.py")
    shutil.copyfile(_LIMITS_FILE, runtime / RUNTIME_LIMITS)
