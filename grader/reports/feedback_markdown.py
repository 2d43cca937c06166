"""Per-learner feedback in Markdown: what passed, a sentence for each failed check, and each
training exercise's loss picture (written beside it by ``grader.reports.feedback_pictures``)."""
from __future__ import annotations

from pathlib import Path

from grader.atomic import write_text_atomic
from grader.curriculum import exercise
from grader.results import FAILED, PASSED, SKIPPED, SubmissionResult

_MARKS = {PASSED: "passed", FAILED: "**failed**", SKIPPED: "skipped"}


def render(result: SubmissionResult, pictures: dict[str, str] | None = None) -> str:
    lines = [f"# Feedback for {result.learner}", "",
             f"Score: **{result.score:g} / {result.max_score:g}**", ""]
    if result.error:
        lines += [f"> {result.error}", ""]
    for key, checks in result.by_exercise().items():
        got = sum(c.points for c in checks)
        top = sum(c.max_points for c in checks if c.status != SKIPPED)
        lines += [f"## {key}: {exercise(key).title} ({got:g} / {top:g})", ""]
        if key in result.files:
            lines += [f"Graded file: `{result.files[key]}`", ""]
        for check in checks:
            line = f"- {_MARKS.get(check.status, check.status)}: {check.title} ({check.points:g}/{check.max_points:g})"
            if check.message and check.status != PASSED:
                line += f"  \n  {check.message}"
            lines.append(line)
        if pictures and key in pictures:
            lines += ["", f"![{key}: your loss per epoch beside the reference loop's on the same data]"
                          f"({pictures[key]})"]
        lines.append("")
    return "\n".join(lines)


def write(result: SubmissionResult, folder: Path, pictures: dict[str, str] | None = None) -> Path:
    path = folder / f"{result.learner}.md"
    write_text_atomic(path, render(result, pictures))
    return path
