"""Import one exercise module from a file, turning import failures into a learner's message."""
from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType


class ExerciseImportError(Exception):
    """The exercise file is missing or fails while Python imports it."""


def load_exercise(path: Path) -> ModuleType:
    """Import ``path`` as a module named after its file (``ex02_five_line_loop``)."""
    if not path.exists():
        raise ExerciseImportError(f"{path.name} is missing: expected it at {path}")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise ExerciseImportError(
            f"{path.name} has a syntax error on line {error.lineno}: {error.msg}") from None
    except BaseException as error:  # noqa: BLE001 - anything at import time is the learner's
        where = _last_frame_in(path, error)
        raise ExerciseImportError(
            f"importing {path.name} raised {type(error).__name__}: {error}{where}") from None
    return module


def _last_frame_in(path: Path, error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno})" if frames else ""
