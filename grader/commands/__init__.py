"""Sub-commands of ``looplab``: each module has HELP, add_arguments(parser) and run(args)."""
from __future__ import annotations

import argparse
from pathlib import Path


class UsageError(Exception):
    """A problem with what the command was asked to do: one line for the user, exit status 2."""


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
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
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{what} {path} cannot be written: {error.strerror or error}") from None
    if path.is_dir():
        raise UsageError(f"{what} {path} is a folder, expected a file name")
    probe = folder / f".looplab-write-test-{path.name}"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"{what} {path} cannot be written: {error.strerror or error}") from None
    return path
