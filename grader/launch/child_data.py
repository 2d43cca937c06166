"""The folder of data handed to children (exercise 8's permuted training digits), one per grading
process: every child of this process may read it, none may write it, and it is removed when the
process ends. A fork server started inside bubblewrap shows it from the start, so its children
can read data written after it started."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.lru_cache(maxsize=1)
def folder() -> Path:
    path = Path(tempfile.mkdtemp(prefix="looplab-data-"))
    path.chmod(0o755)
    atexit.register(shutil.rmtree, path, True)
    return path


def new_subfolder(prefix: str) -> Path:
    """A fresh folder inside ``folder()``, readable by every child."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=folder()))
    path.chmod(0o755)
    return path


def holds(paths) -> bool:
    """Whether every path lies inside ``folder()``."""
    return all(Path(p).resolve().is_relative_to(folder().resolve()) for p in paths)
