"""GitHub Classroom: the result a step hands to ``education/autograding-grading-reporter``.

The reporter reads each runner's result from the environment variable ``<RUNNER>_RESULTS``,
base64-encoded JSON with ``max_score`` and ``tests`` (each with ``name``, ``status``, ``score``
and ``message``); it adds the tests' scores up and reports the points to Classroom.
"""
from __future__ import annotations

import base64
import json

from grader.results import PASSED, SKIPPED, SubmissionResult

VERSION = 1


def reporter_json(result: SubmissionResult) -> dict:
    tests = [{
        "name": f"{check.key}: {check.title}",
        "status": "pass" if check.status == PASSED else "fail",
        "score": check.points,
        "message": check.message,
        "test_code": "",
        "filename": result.files.get(check.exercise, ""),
        "line_no": 0,
        "duration": 0,
    } for check in result.checks if check.status != SKIPPED]
    passed = all(test["status"] == "pass" for test in tests) and not result.error
    return {"version": VERSION, "status": "pass" if passed else "fail",
            "max_score": result.max_score, "tests": tests}


def cannot_grade_json(problem: str, max_score: float) -> dict:
    return {"version": VERSION, "status": "error", "max_score": max_score,
            "tests": [{"name": "looplab", "status": "error", "score": 0, "message": problem,
                       "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}


def encoded(data: dict) -> str:
    """The step output's value: the result as base64 of its JSON."""
    return base64.b64encode(json.dumps(data).encode()).decode()


def points_lines(result: SubmissionResult) -> list[str]:
    """What the workflow's log shows: one line per check, then the points."""
    lines = [f"{'pass' if c.status == PASSED else 'fail':4}  {c.points:g}/{c.max_points:g}  {c.key}"
             + (f": {c.message}" if c.message and c.status != PASSED else "")
             for c in result.checks if c.status != SKIPPED]
    if result.error:
        lines.append(f"looplab: {result.error}")
    return lines + [f"Points {result.score:g}/{result.max_score:g}"]
