"""The CSV gradebook: one row per learner, one column per check, then totals, seed, error, files.

Policy for what a cell holds:

- a check's column holds the points earned (``0`` for a failed check);
- a check that was *skipped* because it cannot run on this grading machine (a check that needs
  a GPU, on a grader without one) is left blank, and its points are left out of ``max_total``:
  nobody is marked down for what the grader could not run, and nobody is credited for it either.
  Regrade with ``--device cuda`` on a GPU machine to fill those cells;
- ``error`` says what went wrong whenever a row earned no points (a syntax error, an import
  error, a timeout, an empty folder, ambiguous files, ...), and holds the problem with the
  hand-in itself (ambiguous files) even when other exercises earned points;
- ``files`` lists the modules that were graded, as paths inside the learner's folder.

Text cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) get a
leading quote.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.results import FAILED, SKIPPED, SubmissionResult


def render(results: list[SubmissionResult]) -> str:
    columns: list[str] = []
    for result in results:
        for check in result.checks:
            if check.key not in columns:
                columns.append(check.key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["learner", *columns, "total", "max_total", "seed", "error", "files"])
    for result in sorted(results, key=lambda r: r.learner):
        points = {check.key: None if check.status == SKIPPED else check.points for check in result.checks}
        writer.writerow([_text(result.learner), *(_cell(points.get(c)) for c in columns),
                         _cell(result.score), _cell(result.max_score),
                         "" if result.seed is None else str(result.seed), _text(what_went_wrong(result)),
                         _text("; ".join(result.files.values()))])
    return buffer.getvalue()


def what_went_wrong(result: SubmissionResult) -> str:
    """The submission's error; for a row without a point and without one, the first failure of
    each exercise (a syntax error, a timeout, a module not found...)."""
    if result.error or result.score > 0:
        return result.error
    firsts: dict[str, str] = {}
    for check in result.checks:
        if check.status == FAILED:
            firsts.setdefault(check.exercise, check.message or check.title)
    if not firsts:
        return "no check could run on this grading machine" if result.checks else "no check was run"
    return "no points: " + "; ".join(f"{key}: {message}" for key, message in firsts.items())


def _text(value: str) -> str:
    """A text cell a spreadsheet shows as text: one that starts like a formula gets a leading quote."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write(results: list[SubmissionResult], path: Path) -> None:
    write_text_atomic(path, render(results))
