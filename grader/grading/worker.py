"""``python -m grader.grading.worker SUBMISSION RESULT.json OPTIONS_JSON``: grade one submission.

grade-all runs one worker process per submission, so a submission that breaks the grader in
any way costs only its own row. The result file is written atomically when grading finishes;
the worker then stops its fork servers and exits at once.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from grader.launch import zygote_lanes
from grader.launch.sandbox import SandboxUnavailable, resolve


def main(argv: list[str]) -> int:
    submission, result_path, options = Path(argv[0]), Path(argv[1]), json.loads(argv[2])
    # The fork servers import torch on the other core while this process imports its own: the
    # same sandbox grade_submission will resolve, or a second set of zygotes would start for it.
    lanes = zygote_lanes.children_at_once(options.get("threads") or os.cpu_count() or 1)
    try:
        zygote_lanes.prestart(options.get("device", "cpu"), resolve(options.get("sandbox", "auto")), lanes)
    except SandboxUnavailable:
        pass  # grade_submission records it as the submission's error
    from grader.atomic import write_text_atomic
    from grader.grading.grade import GradeOptions, grade_submission

    options["exercises"] = tuple(options.get("exercises") or GradeOptions().exercises)
    result = grade_submission(submission, GradeOptions(**options))
    write_text_atomic(result_path, json.dumps(result.to_dict(), indent=1))
    return 0


def exit_now(code: int) -> None:
    """Stop the fork servers and leave without the interpreter's teardown of torch and pytest
    (about 0.7 s a submission): the result is already written."""
    zygote_lanes.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main(sys.argv[1:]))
