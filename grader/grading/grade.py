"""Grade one submission: a pipeline of small stages from a folder to a SubmissionResult.

``check_run`` looks at what belongs to the whole run (the exercises asked for, the device, the
sandbox, MNIST when ex08 is graded) once, before any learner is graded: a problem there stops the
run with one sentence instead of becoming every learner's error. ``grade_submission`` finds the
learner's exercise modules wherever they sit in the folder (``grader.grading.submission_files``) and
runs the hidden suites of each folder that holds some, so every module still reaches its child
process through the same path, with the same refusals, as a module at the top of the folder.
"""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from grader.launch import zygote_lanes
from grader.curriculum import CURRICULUM, exercise
from grader.hidden import draw
from grader.grading.hidden_session import HiddenSession
from grader.grading.hidden_suite import NEEDS_MNIST, run_hidden_suites
from grader.launch.limits import Limits
from grader.results import CheckResult, SubmissionResult
from grader.launch.sandbox import SandboxUnavailable, resolve
from grader.grading.submission_files import ExerciseModules, find_exercise_modules


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: device, sandbox, threads per child, limits and which exercises."""

    device: str = "cpu"
    sandbox: str = "auto"  # isolation: auto | bwrap | uid | none (see grader.launch.sandbox)
    threads: int = 0  # 0: all cores
    limits: dict = field(default_factory=dict)
    exercises: tuple[str, ...] = tuple(item.key for item in CURRICULUM)
    seed: int | None = None  # None: a fresh secret seed for every grading


class RunProblem(Exception):
    """Nothing can be graded with these options on this machine (one sentence for the user)."""


def resolve_device(requested: str) -> str:
    """``auto`` is ``cuda`` where a GPU is visible, else ``cpu``."""
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def check_run(options: GradeOptions) -> None:
    """Raise RunProblem (or SandboxUnavailable) when these options cannot grade anyone here."""
    problem = _options_problem(options, resolve_device(options.device)) or _data_problem(options)
    if problem:
        raise RunProblem(problem)
    resolve(options.sandbox)


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
    threads = options.threads or os.cpu_count() or 1
    lanes = zygote_lanes.children_at_once(threads)
    zygote_lanes.prestart(result.device, sandbox, lanes)  # overlaps pytest's collection
    keys = [exercise(key).key for key in options.exercises]
    modules = find_exercise_modules(submission.resolve())
    result.files = {key: modules.relative(path) for key, path in modules.found.items() if key in keys}

    def run(folder: Path, group: list[str]) -> list[CheckResult]:
        session = HiddenSession(folder, device=result.device, sandbox=sandbox, threads=threads,
                                lanes=lanes, limits=Limits(**options.limits), seed=seed)
        return run_hidden_suites(session, group, curves=result.curves)

    with one_torch_thread():
        result.checks = _checks_by_folder(modules, keys, run)
    result.error = _submission_problem(modules, keys)
    result.wall_s = round(time.monotonic() - started, 2)
    return result


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """The grading process itself works on small tensors (hidden inputs, replays): one torch thread.

    More threads only spin between its small operations, against the children for the cores:
    measured on 2 cores, a grading's collection took 4.7 s of CPU with torch's default threads
    and 2.3 s with one."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _checks_by_folder(modules: ExerciseModules, keys: list[str],
                      run: Callable[[Path, list[str]], list[CheckResult]]) -> list[CheckResult]:
    """Each exercise's checks, run against the folder that holds its module: an exercise with no
    module is run against the learner's folder (its checks say so), an ambiguous one against an
    empty folder, its failures then naming the files."""
    with tempfile.TemporaryDirectory(prefix="looplab-ambiguous-") as nowhere:
        groups: dict[Path, list[str]] = {}
        for key in keys:
            folder = (modules.found[key].parent if key in modules.found else
                      Path(nowhere) if key in modules.ambiguous else modules.folder)
            groups.setdefault(folder, []).append(key)
        checks = [check for folder, group in groups.items() for check in run(folder, group)]
    for check in checks:
        if check.exercise in modules.ambiguous:
            check.message = modules.ambiguity(check.exercise)
    order = {key: index for index, key in enumerate(keys)}
    return sorted(checks, key=lambda check: order.get(check.exercise, len(order)))


def _submission_problem(modules: ExerciseModules, keys: list[str]) -> str:
    """What is wrong with the hand-in as a whole: no module at all, or ambiguous modules."""
    if modules.missing_all(keys):
        return modules.nothing_found()
    return "; ".join(modules.ambiguity(key) for key in keys if key in modules.ambiguous)


def _cannot_grade(submission: Path, options: GradeOptions, device: str) -> str:
    """Why nothing can be graded with these options, or an empty string."""
    if not submission.is_dir():
        return f"{submission} is not a folder of exercise modules"
    if submission.is_symlink():
        return f"{submission} is a symbolic link: hand in the folder itself"
    return _options_problem(options, device)


def _options_problem(options: GradeOptions, device: str) -> str:
    """An exercise the curriculum does not have, or a device this machine does not have."""
    for key in options.exercises:
        try:
            exercise(key)
        except KeyError as error:
            return str(error.args[0])
    if device.startswith("cuda") and not _cuda_available():
        return "--device cuda was asked for, but no CUDA GPU is visible on this machine"
    return ""


def _data_problem(options: GradeOptions) -> str:
    """MNIST missing or corrupt while an exercise graded on it is asked for."""
    from grader import mnist

    for key in sorted({exercise(key).key for key in options.exercises}.intersection(NEEDS_MNIST)):
        try:
            mnist.check()
        except mnist.MnistDataError as error:
            return f"{key} is graded on MNIST, which is not ready: {error}"
    return ""


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()
