"""The CSV gradebook: one row per learner, one column per check, then total and error."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.results import SubmissionResult


def render(results: list[SubmissionResult]) -> str:
    columns: list[str] = []
    for result in results:
        for check in result.checks:
            if check.key not in columns:
                columns.append(check.key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["learner", *columns, "total", "max_total", "seed", "error"])
    for result in sorted(results, key=lambda r: r.learner):
        points = {check.key: check.points for check in result.checks}
        writer.writerow([_text(result.learner), *(_cell(points.get(c)) for c in columns),
                         _cell(result.score), _cell(result.max_score),
                         "" if result.seed is None else str(result.seed), _text(result.error)])
    return buffer.getvalue()


def _text(value: str) -> str:
    """A text cell a spreadsheet shows as text: one that starts like a formula gets a leading quote."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write(results: list[SubmissionResult], path: Path) -> None:
    write_text_atomic(path, render(results))
