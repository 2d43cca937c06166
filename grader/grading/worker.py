"""``python -m grader.grading.worker SUBMISSION RESULT.json OPTIONS_JSON``: grade one submission.

grade-all runs one worker process per submission, so a submission that breaks the grader in
any way costs only its own row. The result file is written atomically when grading finishes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.launch import zygote


def main(argv: list[str]) -> int:
    submission, result_path, options = Path(argv[0]), Path(argv[1]), json.loads(argv[2])
    # The fork server imports torch on the other core while this process imports its own.
    zygote.prestart(options.get("device", "cpu"), options.get("sandbox", "none"))
    from grader.atomic import write_text_atomic
    from grader.grading.grade import GradeOptions, grade_submission

    options["exercises"] = tuple(options.get("exercises") or GradeOptions().exercises)
    result = grade_submission(submission, GradeOptions(**options))
    write_text_atomic(result_path, json.dumps(result.to_dict(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
