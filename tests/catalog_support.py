"""Grade one catalog submission and compare the result with the expectations in its header.

A catalog file is a full copy of an exercise module (buggy or correct-but-different) whose
name starts with the exercise key (``ex03_skipped_last_batch.py``) and whose first comment
lines declare which hidden checks must fail, with a substring the failure message must hold:

    # expect-failed: train_epochs_call_order: gradients accumulated

Every check not listed must pass; a file without expectations must get full marks.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from grader.curriculum import exercise
from grader.grade import GradeOptions, grade_submission
from grader.results import PASSED, SubmissionResult

_EXPECT = re.compile(r"#\s*expect-failed:\s*([A-Za-z0-9_]+)\s*:\s*(.*\S)\s*$")


def exercise_key(path: Path) -> str:
    """``ex03`` for ``ex03_skipped_last_batch.py``."""
    return path.name.split("_", 1)[0]


def parse_expectations(path: Path) -> dict[str, str]:
    """The header's ``expect-failed`` lines as {check name: message substring}."""
    expectations: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        if not line.startswith("#"):
            break
        match = _EXPECT.match(line)
        if match:
            expectations[match.group(1).removeprefix("test_")] = match.group(2)
    return expectations


def grade_case(path: Path, tmp_path: Path) -> SubmissionResult:
    """Copy the case under its exercise's real module name and grade only that exercise."""
    item = exercise(exercise_key(Path(path)))
    folder = Path(tmp_path) / "submission"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / item.filename)
    return grade_submission(folder, GradeOptions(exercises=(item.key,), threads=1))


def assert_case(result: SubmissionResult, expectations: dict[str, str]) -> None:
    """Each listed check failed with its substring; every other check passed."""
    assert not result.error, f"the submission could not be graded: {result.error}"
    assert result.checks, "no hidden check ran"
    checks = {check.name: check for check in result.checks}
    unknown = sorted(set(expectations) - set(checks))
    assert not unknown, f"expected failures of unknown checks {unknown}; the checks are {sorted(checks)}"
    problems = []
    for name, check in checks.items():
        if name in expectations:
            if check.status == PASSED:
                problems.append(f"{name}: passed, expected it to fail with {expectations[name]!r}")
            elif expectations[name] not in check.message:
                problems.append(f"{name}: failed with {check.message!r}, expected it to contain "
                                f"{expectations[name]!r}")
        elif check.status != PASSED:
            problems.append(f"{name}: {check.status} ({check.message!r}), expected it to pass")
    assert not problems, "\n".join(problems)
