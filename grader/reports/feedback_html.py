"""Per-learner feedback as one HTML page: the Markdown's checks, and each exercise's loss picture."""
from __future__ import annotations

import html
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.curriculum import exercise
from grader.results import PASSED, SKIPPED, SubmissionResult

_STYLE = "body{font-family:sans-serif;max-width:52em;margin:2em auto}.failed{color:#b00020}li{margin:.4em 0}"


def render(result: SubmissionResult, pictures: dict[str, str]) -> str:
    """The page; ``pictures`` maps an exercise key to its loss PNG beside the page."""
    text = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback for {text(result.learner)}"
             f"</title><style>{_STYLE}</style></head><body>", f"<h1>Feedback for {text(result.learner)}</h1>",
             f"<p>Score: <b>{result.score:g} / {result.max_score:g}</b></p>"]
    if result.error:
        parts.append(f"<blockquote>{text(result.error)}</blockquote>")
    for key, checks in result.by_exercise().items():
        got = sum(c.points for c in checks)
        top = sum(c.max_points for c in checks if c.status != SKIPPED)
        parts.append(f"<h2>{key}: {text(exercise(key).title)} ({got:g} / {top:g})</h2><ul>")
        for check in checks:
            message = f"<br>{text(check.message)}" if check.message and check.status != PASSED else ""
            parts.append(f"<li class='{check.status}'>{check.status}: {text(check.title)} "
                         f"({check.points:g}/{check.max_points:g}){message}</li>")
        parts.append("</ul>")
        if key in pictures:
            parts.append(f"<img src='{text(pictures[key])}' alt='{key}: your loss per epoch beside the "
                         "reference loop&#39;s on the same data'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(result: SubmissionResult, folder: Path, pictures: dict[str, str]) -> Path:
    path = folder / f"{result.learner}.html"
    write_text_atomic(path, render(result, pictures))
    return path
