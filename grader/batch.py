"""Grade a folder of submissions: one worker process each, results kept as they finish.

Each learner's result is written atomically to ``<gradebook>.results/<learner>.json`` as soon as
that learner is graded; a re-run skips learners already recorded (unless ``force``), so killing
the batch loses nothing that was finished. The CSV gradebook is rebuilt from those files.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from grader.atomic import write_text_atomic
from grader.grade import GradeOptions
from grader.reports import gradebook_csv
from grader.results import SubmissionResult

WORKER_TIMEOUT_S = 3 * 3600


def results_dir(gradebook: Path) -> Path:
    return gradebook.parent / f"{gradebook.stem}.results"


def learners(submissions: Path) -> list[Path]:
    return sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))


def grade_all(submissions: Path, gradebook: Path, options: GradeOptions, workers: int = 1,
              force: bool = False, on_done: Callable[[SubmissionResult], None] = lambda r: None,
              ) -> list[SubmissionResult]:
    """Grade every submission folder not yet recorded and write the CSV gradebook."""
    store = results_dir(gradebook)
    store.mkdir(parents=True, exist_ok=True)
    pending = [p for p in learners(submissions) if force or not (store / f"{p.name}.json").exists()]
    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    worker_options = {**asdict(options), "threads": options.threads or threads}

    def grade_one(path: Path) -> None:
        on_done(_run_worker(path, store / f"{path.name}.json", worker_options))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(grade_one, pending))
    recorded = [load_result(store / f"{p.name}.json") for p in learners(submissions)]
    results = [r for r in recorded if r is not None]
    gradebook_csv.write(results, gradebook)
    return results


def _run_worker(path: Path, result_file: Path, options: dict) -> SubmissionResult:
    command = [sys.executable, "-m", "grader.worker", str(path), str(result_file), json.dumps(options)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
        problem = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    except subprocess.TimeoutExpired:
        problem = f"grading took longer than {WORKER_TIMEOUT_S} s"
    result = load_result(result_file)
    if result is None:
        result = SubmissionResult(path.name, error=f"the grader failed on this submission: {problem}")
        write_text_atomic(result_file, json.dumps(result.to_dict(), indent=1))
    return result


def load_result(path: Path) -> SubmissionResult | None:
    try:
        return SubmissionResult.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None
