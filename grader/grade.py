"""Grade one submission: a pipeline of small stages from a folder to a SubmissionResult."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import zygote
from grader.curriculum import CURRICULUM, exercise
from grader.hidden import draw
from grader.hidden_suite import run_hidden_suites
from grader.results import SubmissionResult
from grader.sandbox import SandboxUnavailable, resolve


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: device, sandbox, threads per child, limits and which exercises."""

    device: str = "cpu"
    sandbox: str = "auto"  # isolation: auto | bwrap | uid | none (see grader.sandbox)
    threads: int = 0  # 0: all cores
    limits: dict = field(default_factory=dict)
    exercises: tuple[str, ...] = tuple(item.key for item in CURRICULUM)
    seed: int | None = None  # None: a fresh secret seed for every grading


def resolve_device(requested: str) -> str:
    """``auto`` is ``cuda`` where a GPU is visible, else ``cpu``."""
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def grade_submission(submission: Path, options: GradeOptions = GradeOptions(),
                     learner: str | None = None) -> SubmissionResult:
    """Run every hidden check of the chosen exercises against ``submission``."""
    started = time.monotonic()
    seed = draw.fresh_seed() if options.seed is None else options.seed
    result = SubmissionResult(learner or submission.name, device=resolve_device(options.device), seed=seed)
    result.error = _cannot_grade(submission, options, result.device)
    if result.error:
        return result
    try:
        sandbox = resolve(options.sandbox)
    except SandboxUnavailable as error:
        result.error = str(error)
        return result
    zygote.prestart(result.device, sandbox)  # overlaps pytest's collection
    result.checks = run_hidden_suites(
        submission.resolve(), list(options.exercises), device=result.device,
        sandbox=sandbox, threads=options.threads or os.cpu_count() or 1,
        limits=options.limits, seed=seed)
    result.wall_s = round(time.monotonic() - started, 2)
    return result


def _cannot_grade(submission: Path, options: GradeOptions, device: str) -> str:
    """Why nothing can be graded with these options, or an empty string."""
    if not submission.is_dir():
        return f"{submission} is not a folder of exercise modules"
    if submission.is_symlink():
        return f"{submission} is a symbolic link: hand in the folder itself"
    for key in options.exercises:
        try:
            exercise(key)
        except KeyError as error:
            return str(error.args[0])
    if device.startswith("cuda") and not _cuda_available():
        return "--device cuda was asked for, but no CUDA GPU is visible on this machine"
    return ""


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()
