"""looplab grade-all --nbgrader-db: every check lands in nbgrader's gradebook as an auto score."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason='needs the nbgrader extra: pip install -e ".[nbgrader]"')
from nbgrader.api import Gradebook  # noqa: E402

from grader.cli import main  # noqa: E402
from grader.curriculum import exercise  # noqa: E402
from grader.exports.nbgrader_gradebook import record  # noqa: E402
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR  # noqa: E402
from grader.results import CheckResult, SubmissionResult  # noqa: E402

COURSE, ASSIGNMENT = "looplab-test", "week1"
EX02 = exercise("ex02")


def rows(db_url: str, assignment: str = ASSIGNMENT) -> dict[tuple[str, str], tuple]:
    """{(student, grade cell): (auto_score, manual_score, max_score)} read with nbgrader's API."""
    with Gradebook(db_url, course_id=COURSE) as gb:
        found = {}
        for student in gb.students:
            submission = gb.find_submission(assignment, student.id)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[(student.id, grade.name)] = (grade.auto_score, grade.manual_score, grade.max_score)
        return found


def check(name: str, points: float, max_points: float = 3.0, exercise_key: str = "ex02") -> CheckResult:
    status = "passed" if points == max_points else "failed"
    return CheckResult(exercise_key, name, name, max_points, points, status)


def test_record_is_idempotent_keeps_manual_scores_and_adds_new_cells(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    alice = SubmissionResult("alice", [check("a", 3), check("b", 1)])
    bob = SubmissionResult("bob", error="the grader failed on this submission")
    assert record([alice, bob], url, COURSE, ASSIGNMENT) == 4
    assert record([alice, bob], url, COURSE, ASSIGNMENT) == 4
    with Gradebook(url, course_id=COURSE) as gb:
        gb.find_grade("ex02-b", EX02.module, ASSIGNMENT, "alice").manual_score = 2.5
        gb.db.commit()
    later = SubmissionResult("alice", [check("c", 4, 4, "ex03")])
    record([later], url, COURSE, ASSIGNMENT)
    assert rows(url) == {
        ("alice", "ex02-a"): (3.0, None, 3.0), ("alice", "ex02-b"): (1.0, 2.5, 3.0),
        ("alice", "ex03-c"): (4.0, None, 4.0),
        ("bob", "ex02-a"): (0.0, None, 3.0), ("bob", "ex02-b"): (0.0, None, 3.0)}
    with Gradebook(url, course_id=COURSE) as gb:
        assert gb.find_submission(ASSIGNMENT, "alice").score == 3.0 + 2.5 + 4.0


def test_a_check_skipped_for_want_of_a_gpu_is_out_of_the_maximum(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    on_cuda = CheckResult("ex06", "trains_on_cuda", "trains on cuda", 3.0, 0.0, "skipped", "needs a GPU")
    record([SubmissionResult("alice", [check("a", 3), on_cuda])], url, COURSE, ASSIGNMENT)
    assert rows(url) == {("alice", "ex02-a"): (3.0, None, 3.0)}
    with Gradebook(url, course_id=COURSE) as gb:
        assert gb.find_submission(ASSIGNMENT, "alice").max_score == 3.0


def test_grade_all_records_checks_that_nbgrader_export_reads(tmp_path):
    submissions = tmp_path / "submissions"
    for learner, source in (("alice", SOLUTIONS_DIR), ("bob", EXERCISES_DIR)):
        (submissions / learner).mkdir(parents=True)
        shutil.copy(source / EX02.filename, submissions / learner / EX02.filename)
    url = f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}"
    (tmp_path / "course").mkdir()
    assert main(["grade-all", str(submissions), "--out", str(tmp_path / "gradebook.csv"),
                 "--exercise", "ex02", "--workers", "2", "--threads", "1", "--nbgrader-db", url,
                 "--course", COURSE, "--assignment", ASSIGNMENT]) == 0
    found = rows(url)
    assert {cell for _, cell in found} == {f"ex02-{name}" for name in _hidden_ex02_checks()}
    for (who, _), (score, manual, top) in found.items():
        assert (score, manual) == ((top if who == "alice" else 0.0), None)
    exported = _nbgrader_export(tmp_path / "course", url)
    assert {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in exported} == {
        "alice": (15.0, 15.0), "bob": (0.0, 15.0)}


def _hidden_ex02_checks() -> set[str]:
    from grader.grading.check_catalog import checks_of

    return {spec.name for spec in checks_of("ex02")}


def _nbgrader_export(course: Path, db_url: str) -> list[dict]:
    """Run the real ``nbgrader export`` in a course folder whose config points at the database."""
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(course / ".jupyter"),
           "PATH": os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(course / "grades.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT]
