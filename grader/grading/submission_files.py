"""Find a learner's exercise modules wherever they sit inside the learner's folder.

Hand-ins are rarely flat: unzipping a zip of ``exercises/`` gives
``alice/exercises/ex02_five_line_loop.py``, and some learners keep their work deeper
(``alice/hw/sub/ex03_minibatches.py``). Each exercise module is found by its exact file name
anywhere below the folder. The search never follows a link and never enters ``__pycache__`` or a
hidden folder (``.git``, ``.ipynb_checkpoints``); the kit's own files (``test_*.py``,
``conftest.py``, ``_*.py``) never carry an exercise module's name, so they are never taken.

- One file with an exercise's name: that is the module graded for the exercise.
- Two or more: the exercise is *ambiguous*; none of them is graded and the learner is told
  every path, while the learner's other exercises are graded as usual.
- A module that is itself a link (symbolic or hard) is still found: the child process refuses it
  with its own sentence, as it refuses one at the top of the folder. A folder that is a symbolic
  link is not entered and is listed in ``linked_folders``.

``content_hash`` fingerprints the files found, by content (never by inode or modification
time), reading each with ``O_NOFOLLOW | O_NONBLOCK``: a link is hashed by its target's name and a
FIFO or device never blocks the reader.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.curriculum import CURRICULUM

_SKIPPED_FOLDERS = {"__pycache__"}
_MAX_HASHED_BYTES = 4 * 1024 * 1024  # more than the child accepts; the rest cannot change a grade


@dataclass(frozen=True)
class ExerciseModules:
    """The exercise modules found below ``folder``, by exercise key."""

    folder: Path
    found: dict[str, Path] = field(default_factory=dict)
    ambiguous: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    linked_folders: tuple[Path, ...] = ()

    def relative(self, path: Path) -> str:
        """``path`` as the learner sees it inside their folder (``exercises/ex02_...py``)."""
        return path.relative_to(self.folder).as_posix()

    def ambiguity(self, key: str) -> str:
        """The sentence for an exercise whose module name appears more than once."""
        paths = [self.relative(path) for path in self.ambiguous[key]]
        return (f"{key}: {len(paths)} files are named {self.ambiguous[key][0].name} "
                f"({', '.join(paths)}), so none was graded: keep one and hand in again")

    def missing_all(self, keys: list[str]) -> bool:
        """Not one of these exercises has a module in the folder."""
        return not any(key in self.found or key in self.ambiguous for key in keys)

    def nothing_found(self) -> str:
        """The error for a folder without any module of the graded exercises."""
        links = ", ".join(self.relative(path) for path in self.linked_folders)
        left_out = f" (left out folders that are symbolic links: {links}; hand in the files themselves)" if links else ""
        return f"no exercise modules found: no exNN_*.py file named as in exercises/ anywhere in the folder{left_out}"


def find_exercise_modules(folder: Path) -> ExerciseModules:
    """Every exercise module below ``folder`` (links are never followed)."""
    names = {item.filename: item.key for item in CURRICULUM}
    candidates: dict[str, list[Path]] = {}
    linked: list[Path] = []
    pending = [folder]
    while pending:
        for entry in _entries(pending.pop()):
            path = Path(entry.path)
            if entry.name in names and (entry.is_symlink() or entry.is_file(follow_symlinks=False)):
                candidates.setdefault(names[entry.name], []).append(path)
            elif entry.is_symlink():
                if path.is_dir():
                    linked.append(path)
            elif entry.is_dir(follow_symlinks=False) and _searched(entry.name):
                pending.append(path)
    order = [item.key for item in CURRICULUM]
    found = {key: paths[0] for key, paths in candidates.items() if len(paths) == 1}
    ambiguous = {key: tuple(sorted(paths)) for key, paths in candidates.items() if len(paths) > 1}
    return ExerciseModules(folder, dict(sorted(found.items(), key=lambda kv: order.index(kv[0]))),
                           ambiguous, tuple(sorted(linked)))


def content_hash(folder: Path, keys: list[str]) -> str:
    """A fingerprint of the files that grading ``keys`` in ``folder`` would read: their paths
    and contents. Anything that is not a folder is fingerprinted by what its link names."""
    digest = hashlib.sha256()
    if folder.is_symlink() or not folder.is_dir():
        digest.update(b"not-a-folder:" + _link_target(folder))
        return digest.hexdigest()
    modules = find_exercise_modules(folder)
    for key in sorted(keys):
        paths = modules.ambiguous.get(key) or ((modules.found[key],) if key in modules.found else ())
        for path in paths:
            digest.update(f"\0{key}\0{modules.relative(path)}\0".encode())
            digest.update(_content(path))
    return digest.hexdigest()


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []  # unreadable: nothing of it can be graded either


def _searched(name: str) -> bool:
    return not name.startswith(".") and name not in _SKIPPED_FOLDERS


def _content(path: Path) -> bytes:
    """The file's bytes, or a marker for a link, a shared (hard-linked) file or a non-file."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b"link:" + _link_target(path)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return b"not-a-file"
        shared = b"hard-link:" if info.st_nlink > 1 else b"file:"
        return shared + stream.read(_MAX_HASHED_BYTES)


def _link_target(path: Path) -> bytes:
    try:
        return os.fsencode(os.readlink(path))
    except OSError as error:
        return f"unreadable:{error.errno}".encode()
