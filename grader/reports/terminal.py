"""A per-exercise table for the terminal, with the files graded and the first failed check of
each exercise."""
from __future__ import annotations

from grader.curriculum import exercise
from grader.results import FAILED, SKIPPED, SubmissionResult


def render(result: SubmissionResult) -> str:
    lines = [f"looplab grade: {result.learner} (device {result.device}, {result.wall_s:.1f} s)"]
    if result.error:
        lines.append(f"  error: {result.error}")
    if result.files:
        lines.append(f"  graded files: {', '.join(result.files.values())}")
    lines.append(f"  {'exercise':<44} {'score':>11}  checks")
    for key, checks in result.by_exercise().items():
        got = sum(c.points for c in checks)
        top = sum(c.max_points for c in checks if c.status != SKIPPED)
        passed = sum(1 for c in checks if c.status == "passed")
        counted = sum(1 for c in checks if c.status != SKIPPED)
        lines.append(f"  {key} {_title(key):<39} {got:>5g}/{top:<5g}  {passed}/{counted} passed"
                     + _skipped(checks))
        first = next((c for c in checks if c.status == FAILED), None)
        if first:
            lines.append(f"      first problem: {first.message}")
    lines.append(f"  {'total':<44} {result.score:>5g}/{result.max_score:<5g}")
    if result.seed is not None:
        lines.append(f"  hidden inputs drawn from seed {result.seed} (--seed {result.seed} repeats this grading)")
    return "\n".join(lines)


def _title(key: str) -> str:
    try:
        return exercise(key).title
    except KeyError:
        return ""


def _skipped(checks) -> str:
    skipped = [c for c in checks if c.status == SKIPPED]
    return f", {len(skipped)} skipped ({skipped[0].message})" if skipped else ""
