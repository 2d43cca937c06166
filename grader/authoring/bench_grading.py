"""``looplab bench``'s grading measurements: the hidden suites (``python -m grader.grading.worker``)
against a bare run of the probes, and ``grade_all``'s throughput with 1 and 2 workers."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from grader.authoring.bench_rows import BenchOptions, Row, timed
from grader.authoring.learner_style import write_learner_submissions
from grader.curriculum import CURRICULUM, exercise
from grader.grading.hidden_suite import suite_file
from grader.launch.sandbox import resolve
from grader.paths import REPO_ROOT, SOLUTIONS_DIR
from grader.results import SubmissionResult


# -- 2. grading against a bare run -----------------------------------------------------------

_BARE = r"""
import importlib.util, json, sys, torch
from pathlib import Path
from grader.harness.probe import ProbeContext
from grader.harness.probes import probe_for
torch.set_num_threads(int(sys.argv[3]))
for key, filename, inputs in json.loads(sys.argv[1]):
    path = Path(sys.argv[2]) / filename
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    context = ProbeContext(path, "cpu", inputs)
    probe_for(key).run(module, context)
"""


def graded_keys(quick: bool, skip: tuple[str, ...] = ()) -> list[str]:
    """Exercises with a hidden suite, a probe and a solution (only ex02 when quick)."""
    probes = REPO_ROOT / "grader" / "harness" / "probes"
    keys = [item.key for item in CURRICULUM if suite_file(item.key).exists()
            and (probes / f"{item.module}.py").exists() and (SOLUTIONS_DIR / item.filename).exists()
            and item.key not in skip]
    if quick:
        return ["ex02"] if "ex02" in keys else keys[:1]
    return keys


def _suite_inputs(key: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"_bench_suite_{key}", suite_file(key))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plan = getattr(module, "child_plan", None)  # ex08 hands its child a data folder as well
    return dict(plan()[0] if plan else getattr(module, "INPUTS", {}))


def _run(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {done.stderr.strip()[-800:]}")
    return time.perf_counter() - started


def _grade_once(folder: Path, keys: list[str], device: str, zygote: bool, scratch: Path) -> tuple[float, dict]:
    options = {"device": device, "exercises": keys, "threads": os.cpu_count() or 1}
    result_file = scratch / f"result-{folder.name}-{device}-{zygote}.json"
    seconds = _run([sys.executable, "-m", "grader.grading.worker", str(folder), str(result_file),
                    json.dumps(options)], {"LOOPLAB_ZYGOTE": "1" if zygote else "0"})
    return seconds, json.loads(result_file.read_text())


def _bare_once(folder: Path, keys: list[str]) -> float:
    plan = [(key, exercise(key).filename, _suite_inputs(key)) for key in keys]
    return _run([sys.executable, "-c", _BARE, json.dumps(plan), str(folder), str(os.cpu_count() or 1)])


def grading_rows(options: BenchOptions, device: str, scratch: Path) -> list[Row]:
    """Grading in full against the bare run, for solutions/ and for a learner-style submission."""
    keys = graded_keys(options.quick)
    learner = write_learner_submissions(scratch / "one-learner", 1, keys)[0]
    rows = []
    for label, folder, launchers in (("solutions/", SOLUTIONS_DIR, (True, False)),
                                     ("a learner-style submission", learner, (True,))):
        bare_s = _bare_once(folder, keys)
        for zygote in (launchers[:1] if options.quick else launchers) if device == "cpu" else (False,):
            graded_s, result = _grade_once(folder, keys, device, zygote, scratch)
            graded = SubmissionResult.from_dict(result)
            launcher = "zygote (fork server)" if zygote else "spawn per exercise"
            rows.append(Row(f"grade {label} ({', '.join(keys)}; {device})",
                            "grading (python -m grader.grading.worker), " + launcher, graded_s,
                            "bare: probes in one process", bare_s, "<= 1.3x overhead",
                            lambda r: r <= 1.3,
                            f"score {graded.score:g}/{graded.max_score:g}; overhead = grading / bare"))
    return rows


# -- 3. grade_all throughput -----------------------------------------------------------------

def batch_rows(options: BenchOptions, device: str, scratch: Path) -> list[Row]:
    """grade_all over N learner-style submissions, every exercise (ex08 included): 1 worker
    against 2, isolated against unisolated, and a class of 300 projected from 2 workers' pace."""
    from grader.grading.batch import grade_all
    from grader.grading.grade import GradeOptions

    keys = graded_keys(options.quick)
    count = 2 if options.quick else options.learners
    submissions = scratch / "class"
    write_learner_submissions(submissions, count, keys)
    grade_options = GradeOptions(device=device, exercises=tuple(keys))
    isolation = resolve(grade_options.sandbox)
    times = {}
    for workers, sandbox in ((1, isolation), (2, isolation), (1, "none")):
        gradebook = scratch / f"gradebook-{workers}-{sandbox}.csv"
        times[workers, sandbox], _ = timed(grade_all, submissions, gradebook,
                                            replace(grade_options, sandbox=sandbox),
                                            workers=workers, force=True)
    name = f"grade_all, {count} learner-style submissions ({', '.join(keys)}; {device})"
    return [Row(name, "1 worker", times[1, isolation], "2 workers", times[2, isolation],
                ">= 1.6x throughput", lambda r: r >= 1.6,
                f"threads per worker = cores // workers; isolation: {isolation}; warm worker server"),
            Row(name, f"isolated ({isolation}), 1 worker", times[1, isolation],
                "unisolated (--sandbox none), 1 worker", times[1, "none"], "<= 1.3x",
                lambda r: r <= 1.3, "the default isolation against none, same batch"),
            _class_projection(times[2, isolation] / count, count)]


def _class_projection(per_submission_s: float, measured: int, size: int = 300) -> Row:
    """A class of ``size`` graded by 2 workers at the pace measured on ``measured`` learner-style
    submissions (every exercise), against 40 minutes."""
    projected_s = size * per_submission_s
    return Row(f"a class of {size} learner-style submissions, projected (all exercises)",
               "the 40-minute budget", 40 * 60.0,
               f"{size} x {per_submission_s:.1f} s per submission (2 workers, pace of the {measured} above)",
               projected_s, ">= 1x (budget / projection)", lambda r: r >= 1.0,
               f"projected {projected_s / 60:.1f} min for {size} submissions on this machine")
