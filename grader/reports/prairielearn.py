"""PrairieLearn's external-grading results.json (``/grade/results/results.json``).

``score`` is the fraction of points earned (0 to 1); ``tests`` lists every check with ``name``,
``description``, ``points``, ``max_points``, ``message`` (what the code did and what was
expected) and ``output``. A hand-in without any exercise module, or a grader that cannot run, is
``"gradable": false``: PrairieLearn then neither scores it nor counts it as an attempt.
"""
from __future__ import annotations

from grader.results import PASSED, SKIPPED, SubmissionResult


def results_json(result: SubmissionResult) -> dict:
    if result.error and not result.files:  # nothing of the hand-in could be graded
        return not_gradable_json(result.error)
    tests = [{
        "name": f"{check.exercise}: {check.title}",
        "description": check.key,
        "points": check.points,
        "max_points": check.max_points if check.status != SKIPPED else 0,
        "message": check.message or ("passed" if check.status == PASSED else ""),
        "output": _output(result, check.exercise),
    } for check in result.checks]
    earned, possible = result.score, result.max_score
    data = {"gradable": True, "score": round(earned / possible, 6) if possible else 0.0,
            "message": f"{earned:g} of {possible:g} points", "tests": tests}
    if result.error:
        data["output"] = result.error
    return data


def not_gradable_json(problem: str) -> dict:
    """A submission PrairieLearn does not score: it names the problem for the learner."""
    return {"gradable": False, "format_errors": [problem], "message": problem}


def _output(result: SubmissionResult, key: str) -> str:
    graded = result.files.get(key)
    return f"graded {graded}" if graded else ""
