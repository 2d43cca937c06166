"""Gradescope's autograder results.json: top-level score, and one test entry per check."""
from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.results import PASSED, SKIPPED, SubmissionResult


def results_json(result: SubmissionResult) -> dict:
    tests = [{
        "name": f"{check.exercise}: {check.title}",
        "number": check.key,
        "score": check.points,
        "max_score": check.max_points if check.status != SKIPPED else 0,
        "status": "passed" if check.status == PASSED else "failed",
        "output": check.message or ("passed" if check.status == PASSED else ""),
        "visibility": "visible",
    } for check in result.checks]
    data = {"score": result.score, "execution_time": result.wall_s, "tests": tests,
            "extra_data": {"looplab_seed": result.seed}}
    if result.error:
        data["output"] = result.error
    return data


def write(result: SubmissionResult, path: Path) -> None:
    write_text_atomic(path, json.dumps(results_json(result), indent=2))
