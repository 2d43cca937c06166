"""Catalog cases written as changes to a reference solution, so they follow it when it changes.

A ``.case`` file starts with its header comments (the expectations, a line saying what the case
is), then one or more hunks::

    <<<<<<< solution
    lines exactly as they stand in the solution (its solution markers removed)
    =======
    the lines the submission has instead
    >>>>>>> submission

Each solution block must occur exactly once, so a solution edit that a case no longer fits
fails loudly instead of silently grading something else.
"""
from __future__ import annotations

from pathlib import Path

from grader.curriculum import exercise
from grader.paths import SOLUTIONS_DIR

OLD, MIDDLE, NEW = "<<<<<<< solution", "=======", ">>>>>>> submission"
_MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}


class CaseError(ValueError):
    """A .case file that does not apply to its solution."""


def solution_lines(key: str) -> list[str]:
    """The solution as a learner would hand it in: markers and stub-only regions removed."""
    kept, in_stub = [], False
    for line in (SOLUTIONS_DIR / exercise(key).filename).read_text().splitlines():
        marker = line.strip()
        if marker in ("### BEGIN STUB", "### END STUB"):
            in_stub = marker == "### BEGIN STUB"
        elif not in_stub and marker not in _MARKERS:
            kept.append(line)
    return kept


def hunks(text: str) -> list[tuple[list[str], list[str]]]:
    """The (solution lines, submission lines) pairs of a .case file's text."""
    found, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i] != OLD:
            i += 1
            continue
        middle = lines.index(MIDDLE, i)
        end = lines.index(NEW, middle)
        found.append((lines[i + 1:middle], lines[middle + 1:end]))
        i = end + 1
    return found


def apply(source: list[str], changes: list[tuple[list[str], list[str]]], name: str = "") -> str:
    """``source`` with each solution block replaced by its submission lines."""
    lines = list(source)
    for old, new in changes:
        starts = [i for i in range(len(lines) - len(old) + 1) if lines[i:i + len(old)] == old]
        if len(starts) != 1:
            raise CaseError(f"{name}: a solution block occurs {len(starts)} times, expected once:\n"
                            + "\n".join(old))
        lines[starts[0]:starts[0] + len(old)] = new
    return "\n".join(lines) + "\n"


def case_source(path: Path) -> str:
    """The module a catalog case stands for: a ``.py`` file as it is, a ``.case`` file applied."""
    text = path.read_text()
    if path.suffix == ".py":
        return text
    return apply(solution_lines(path.name.split("_", 1)[0]), hunks(text), path.name)
