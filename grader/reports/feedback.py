"""A learner's feedback folder: LEARNER.md, LEARNER.html and one loss picture per training exercise."""
from __future__ import annotations

from pathlib import Path

from grader.reports import feedback_html, feedback_markdown, feedback_pictures
from grader.results import SubmissionResult


def write(result: SubmissionResult, folder: Path) -> list[Path]:
    """Write the pictures, then the two pages that show them; returns the pages."""
    folder.mkdir(parents=True, exist_ok=True)
    pictures = feedback_pictures.write(result, folder)
    return [feedback_markdown.write(result, folder, pictures), feedback_html.write(result, folder, pictures)]
