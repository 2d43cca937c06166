"""The hidden suites of exercises 1 to 5 against a catalog of buggy and correct submissions.

A buggy case loses exactly the checks its header names, with the message it names, and keeps
the others; a correct-but-different case gets full marks.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog_support import assert_case, catalog_cases, grade_case, parse_expectations
from grader.curriculum import exercise
from grader.grading.grade import GradeOptions, grade_submission
from grader.results import PASSED

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path(__file__).resolve().parent / "catalog"
KEYS = ("ex01", "ex02", "ex03", "ex04", "ex05")


def _cases(kind: str) -> list[Path]:
    return [path for path in catalog_cases(CATALOG / kind) if path.name.startswith(KEYS)]


@pytest.mark.parametrize("path", _cases("buggy"), ids=lambda path: path.stem)
def test_buggy_case_loses_exactly_its_checks(path, tmp_path):
    expectations = parse_expectations(path)
    assert expectations, f"{path.name} declares no expect-failed line"
    assert_case(grade_case(path, tmp_path), expectations)


@pytest.mark.parametrize("path", _cases("correct"), ids=lambda path: path.stem)
def test_correct_case_gets_full_marks(path, tmp_path):
    assert_case(grade_case(path, tmp_path), {})


def _grade(folder: Path, tmp_path: Path):
    submission = tmp_path / "submission"
    submission.mkdir()
    for key in KEYS:
        name = exercise(key).filename
        shutil.copyfile(folder / name, submission / name)
    return grade_submission(submission, GradeOptions(exercises=KEYS, threads=1))


def test_solutions_get_full_marks(tmp_path):
    result = _grade(ROOT / "solutions", tmp_path)
    failed = [f"{check.key}: {check.message}" for check in result.checks if check.status != PASSED]
    assert not failed, "\n".join(failed)
    assert {check.exercise for check in result.checks} == set(KEYS)


def test_stubs_score_zero(tmp_path):
    result = _grade(ROOT / "exercises", tmp_path)
    scored = [f"{check.key}: {check.points}" for check in result.checks if check.points]
    assert not scored, f"stubs scored points: {scored}"
    assert {check.exercise for check in result.checks} == set(KEYS)
