"""The lines a learner writes: those between ``### BEGIN SOLUTION`` and ``### END SOLUTION``."""
from __future__ import annotations

from pathlib import Path

from grader.authoring.stubgen import BEGIN_SOLUTION, END_SOLUTION


def solution_line_ranges(path: Path) -> list[tuple[int, int]]:
    """1-based, inclusive line ranges strictly inside each marked region of ``path``."""
    ranges, start = [], None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            start = number + 1
        elif marker == END_SOLUTION and start is not None:
            if number > start:
                ranges.append((start, number - 1))
            start = None
    return ranges
