"""Record looplab results in an nbgrader gradebook, so ``nbgrader export`` and formgrader show them.

The layout matches the notebooks of ``looplab nbgrader-course``: one assignment, one notebook
per exercise named after its module (``ex02_five_line_loop``), and one autograded code cell per
hidden check named after the check's key with ``-`` for ``.`` (``ex02-train_step_call_order``:
nbgrader's cell metadata schema allows only letters, digits, ``_`` and ``-``), worth its points.
Grade cells are created before any submission, as nbgrader requires. Only ``auto_score`` is
written: a ``manual_score`` given in formgrader is left alone and, by nbgrader's rule, wins.
A check a learner has no result for (a submission that could not be graded) scores 0. A check
skipped on this machine (a GPU-only check graded without ``--device cuda``) gets no grade cell,
so it is out of nbgrader's max_score as it is out of the CSV's max_total; a later grading on a GPU
adds the cell and its scores.
"""
from __future__ import annotations

import os
import shutil
import sysconfig
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from grader.curriculum import exercise
from grader.results import SKIPPED, SubmissionResult

INSTALL_HINT = 'nbgrader is not installed: pip install "looplab[nbgrader]" (or "nbgrader>=0.9")'


@dataclass(frozen=True)
class GradeCellSpec:
    """One grade cell: its notebook, its name (from the check key) and its points."""

    notebook: str
    name: str
    max_score: float


def grade_cell_name(check_key: str) -> str:
    """The nbgrader grade id of a check: ``ex02.fit_line`` -> ``ex02-fit_line``."""
    return check_key.replace(".", "-")


def notebook_name(exercise_key: str) -> str:
    """The nbgrader notebook that holds an exercise's grade cells: its module name."""
    return exercise(exercise_key).module


def grade_cells(results: list[SubmissionResult]) -> list[GradeCellSpec]:
    """One grade cell per check any of the results ran (not skipped), in the order first seen."""
    cells: dict[str, GradeCellSpec] = {}
    for result in results:
        for check in (check for check in result.checks if check.status != SKIPPED):
            name = grade_cell_name(check.key)
            cells[name] = GradeCellSpec(notebook_name(check.exercise), name, check.max_points)
    return list(cells.values())


def record(results: list[SubmissionResult], db_url: str, course: str, assignment: str) -> int:
    """Write every learner's check scores as nbgrader auto scores; returns the grades written."""
    try:
        from nbgrader.api import Gradebook
    except ImportError as error:
        raise RuntimeError(INSTALL_HINT) from error
    cells = grade_cells(results)
    written = 0
    with _nbgrader_environment(), Gradebook(db_url, course_id=course) as gb:
        _ensure_assignment(gb, assignment, cells)
        for result in results:
            written += _record_submission(gb, assignment, result, cells)
    return written


@contextmanager
def _nbgrader_environment() -> Iterator[None]:
    """nbgrader runs the ``alembic`` script to stamp a new database: find it next to Python."""
    saved = os.environ.get("PATH", "")
    if shutil.which("alembic") is None:
        os.environ["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), saved])
    try:
        with warnings.catch_warnings():  # nbgrader's add_submission trips SQLAlchemy's autoflush notes
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield
    finally:
        os.environ["PATH"] = saved


def _ensure_assignment(gb, assignment: str, cells: list[GradeCellSpec]) -> None:
    from nbgrader.api import MissingEntry

    gb.update_or_create_assignment(assignment)
    for notebook in dict.fromkeys(cell.notebook for cell in cells):
        try:
            gb.find_notebook(notebook, assignment)
        except MissingEntry:
            gb.add_notebook(notebook, assignment)
    for cell in cells:
        gb.update_or_create_grade_cell(cell.name, cell.notebook, assignment,
                                       max_score=cell.max_score, cell_type="code")


def _record_submission(gb, assignment: str, result: SubmissionResult,
                       cells: list[GradeCellSpec]) -> int:
    gb.update_or_create_student(result.learner)
    submission = gb.update_or_create_submission(assignment, result.learner)
    points = {grade_cell_name(check.key): check.points for check in result.checks}
    for cell in cells:
        grade = _grade_row(gb, cell, assignment, submission)
        grade.auto_score = float(points.get(cell.name, 0.0))
        grade.needs_manual_grade = False
    gb.db.commit()
    return len(cells)


def _grade_row(gb, cell: GradeCellSpec, assignment: str, submission):
    """The learner's Grade row of ``cell``, created when the cell is newer than the submission."""
    from nbgrader.api import Grade, MissingEntry, SubmittedNotebook

    student = submission.student.id
    try:
        return gb.find_grade(cell.name, cell.notebook, assignment, student)
    except MissingEntry:
        pass
    try:
        submitted = gb.find_submission_notebook(cell.notebook, assignment, student)
    except MissingEntry:
        submitted = SubmittedNotebook(notebook=gb.find_notebook(cell.notebook, assignment),
                                      assignment=submission)
        gb.db.add(submitted)
    grade = Grade(cell_id=gb.find_grade_cell(cell.name, cell.notebook, assignment).id,
                  notebook=submitted)
    gb.db.add(grade)
    return grade
