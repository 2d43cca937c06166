"""Shared helpers for the kit's own tests."""
from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "exercises"))

from _loader import load_exercise  # noqa: E402  (lives in exercises/, put on the path above)


@pytest.fixture
def load_solution() -> Callable[[str], ModuleType]:
    """A function importing solutions/<module_name>.py: ``load_solution("ex05_best_checkpoint")``."""
    def load(module_name: str) -> ModuleType:
        return load_exercise(REPO_ROOT / "solutions" / f"{module_name}.py")
    return load
