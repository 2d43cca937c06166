"""Sub-commands of ``looplab``: each module has HELP (one line for ``looplab --help``),
add_arguments(parser) and run(args); optionally DESCRIPTION (what it does, for ``looplab CMD
--help``) and EXAMPLES. The checks below turn bad input into a UsageError: one line, exit 2."""
from __future__ import annotations

import argparse
from pathlib import Path


class UsageError(Exception):
    """A problem with what the command was asked to do: one line for the user, exit status 2."""


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _whole_number(text, least=1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return _whole_number(text, least=0)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{value} is not at least {least}")
    return value


def existing_folder(path: Path, what: str) -> Path:
    """``path`` if it is a folder; else a UsageError that says what is wrong with it."""
    if not path.exists():
        raise UsageError(f"{what} {path} does not exist")
    if not path.is_dir():
        raise UsageError(f"{what} {path} is not a folder")
    return path


def writable_file(path: Path, what: str) -> Path:
    """``path`` if a file can be written there (its folder exists or can be made, and is writable)."""
    _make_folder(path.parent, what, path)
    if path.is_dir():
        raise UsageError(f"{what} {path} is a folder, expected a file name")
    _probe(path.parent, what, path)
    return path


def writable_folder(path: Path, what: str) -> Path:
    """``path`` if files can be written into it (a folder that exists or can be made)."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{what} {path} is a file, expected a folder")
    _make_folder(path, what, path)
    _probe(path, what, path)
    return path


def new_folder(path: Path, what: str) -> Path:
    """``path`` if it does not exist yet and can be made (its parent is writable)."""
    if path.exists() or path.is_symlink():
        raise UsageError(f"{what} {path} already exists: name a new folder")
    _make_folder(path.parent, what, path)
    _probe(path.parent, what, path)
    return path


def _make_folder(folder: Path, what: str, shown: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{what} {shown} cannot be written: {error.strerror or error}") from None


def _probe(folder: Path, what: str, shown: Path) -> None:
    probe = folder / f".looplab-write-test-{shown.name}"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"{what} {shown} cannot be written: {error.strerror or error}") from None
