"""Grade one catalog submission and compare the result with the expectations in its header.

A catalog case is a change to a reference solution (``ex03_skipped_last_batch.case``, see
``catalog_patch``) or, where it shares little with the solution, a whole module (``.py``). Its
name starts with the exercise key, and its first comment lines declare which hidden checks must
fail, with a substring the failure message must hold:

    # expect-failed: train_epochs_call_order: gradients accumulated

Every check not listed must pass; a file without expectations must get full marks.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from grader.authoring.catalog_patch import case_source

from grader.curriculum import exercise
from grader.grading.grade import GradeOptions, grade_submission
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


def write_case(path: Path, folder: Path) -> Path:
    """Write the case's module into ``folder`` under its exercise's real module name."""
    target = folder / exercise(exercise_key(Path(path))).filename
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(case_source(Path(path)))
    return target


def catalog_cases(folder: Path) -> list[Path]:
    """Every case in a catalog folder, ``.case`` and ``.py`` alike, by name."""
    return sorted(p for p in folder.iterdir() if p.name.startswith("ex") and p.suffix in (".case", ".py"))


def case_seed(name: str) -> int:
    """The hidden inputs' seed for one catalog case: fixed per case (a failure can be repeated with
    ``looplab grade --seed``), different across cases (the catalog covers many draws)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:6], "big")


def grade_case(path: Path, tmp_path: Path) -> SubmissionResult:
    """Write the case under its exercise's real module name and grade only that exercise."""
    key = exercise_key(Path(path))
    folder = write_case(path, Path(tmp_path) / "submission").parent
    return grade_submission(folder, GradeOptions(exercises=(key,), threads=1, seed=case_seed(Path(path).name)))


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
