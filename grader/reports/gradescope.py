"""Gradescope's autograder results.json: top-level score, and one test entry per check.

``visibility`` is Gradescope's per-test setting for when a learner sees a check's details:
``visible`` (at once), ``hidden`` (never), ``after_due_date`` or ``after_published``.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.results import PASSED, SKIPPED, SubmissionResult

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def results_json(result: SubmissionResult, visibility: str = "visible") -> dict:
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    tests = [{
        "name": f"{check.exercise}: {check.title}",
        "number": check.key,
        "score": check.points,
        "max_score": check.max_points if check.status != SKIPPED else 0,
        "status": "passed" if check.status == PASSED else "failed",
        "output": check.message or ("passed" if check.status == PASSED else ""),
        "visibility": visibility,
    } for check in result.checks]
    data = {"score": result.score, "execution_time": result.wall_s, "tests": tests,
            "extra_data": {"looplab_seed": result.seed}}
    if result.error:
        data["output"] = result.error
    return data


def cannot_grade_json(problem: str) -> dict:
    """What Gradescope shows when the autograder itself cannot grade anyone."""
    return {"score": 0, "tests": [],
            "output": f"The autograder cannot grade this submission: {problem}. Please tell your instructor."}


def write(result: SubmissionResult, path: Path, visibility: str = "visible") -> None:
    write_text_atomic(path, json.dumps(results_json(result, visibility), indent=2))
