"""Grade a list of catalog submissions with several processes side by side.

``python tests/catalog_runner.py JOBS.json`` grades, in turn, every job of the list that no other
runner has claimed yet (a claim is a file created exclusively next to the job's result), and
writes each result as JSON. Started twice on one list, two processes share the work without any
estimate of what each job costs: whoever is free takes the next one. One process pays for
importing torch and pytest once for all its jobs.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from grader.grading.grade import GradeOptions, grade_submission


def claim(result_path: Path) -> bool:
    """True for the one runner that creates the claim file first."""
    try:
        os.close(os.open(f"{result_path}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def grade_jobs(jobs: list[dict]) -> None:
    for job in jobs:
        result_path = Path(job["result"])
        if not claim(result_path):
            continue
        options = GradeOptions(device="cpu", threads=1, exercises=tuple(job["exercises"]), seed=job["seed"])
        result = grade_submission(Path(job["folder"]), options)
        result_path.write_text(json.dumps(result.to_dict()))


if __name__ == "__main__":
    grade_jobs(json.loads(Path(sys.argv[1]).read_text()))
