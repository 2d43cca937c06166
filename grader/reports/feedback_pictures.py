"""The loss pictures of a learner's feedback: one PNG per training exercise graded.

Each shows the learner's per-epoch loss beside the reference loop's on the same hidden data
(``grader.grading.loss_curves``), drawn by ``grader.reports.loss_plot``.
"""
from __future__ import annotations

from pathlib import Path

from grader.reports import loss_plot
from grader.results import SubmissionResult


def picture_name(learner: str, key: str) -> str:
    return f"{learner}.{key}.loss.png"


def write(result: SubmissionResult, folder: Path) -> dict[str, str]:
    """Write the PNGs into ``folder``; returns {exercise key: file name} for the pages to show."""
    written = {}
    for curve in result.curves:
        key, name = curve["exercise"], picture_name(result.learner, curve["exercise"])
        loss_plot.write_png(folder / name, f"{key}: {curve['call']}", curve["yours"], curve.get("reference"))
        written[key] = name
    return written
