"""The learner-side helpers kept in an exercises folder (``_record``, ``_hints``, ``_progress``).

``looplab watch``, ``hint`` and ``progress`` read what the pytest plugin beside the exercises
wrote, with the same code: the folder goes on ``sys.path`` and its modules are imported.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

from grader.commands import existing_folder
from grader.paths import EXERCISES_DIR


def add_folder_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", type=Path, default=EXERCISES_DIR,
                        help="the exercises folder (default: exercises/ of this checkout)")


def exercises_folder(args: argparse.Namespace) -> Path:
    """The exercises folder asked for, resolved; a UsageError when it is not a folder."""
    return existing_folder(args.folder, "exercises folder").resolve()


def helper(folder: Path, name: str) -> ModuleType:
    """The module ``name`` (``_record``) of the exercises folder."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module(name)
