"""The hidden suites against the catalog: each buggy case fails exactly the checks its header names,
with the message it names, and keeps the others; each correct-but-different case gets full marks;
solutions/ gets full marks and the shipped stubs get nothing.

The submissions this run selects are graded once per session by two runner processes side by side
(``catalog_runner.py``), each taking the next ungraded submission when it is free.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_support import (assert_case, case_seed, catalog_cases, exercise_key, grade_case,
                             parse_expectations, write_case)
from grader.curriculum import CURRICULUM
from grader.results import PASSED, SKIPPED, SubmissionResult

REPO = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "catalog_runner.py"
KEYS = tuple(item.key for item in CURRICULUM)
CASES = [p for folder in ("buggy", "correct") for p in catalog_cases(REPO / "tests" / "catalog" / folder)]
FOLDERS = {"solutions": REPO / "solutions", "stubs": REPO / "exercises"}
PROCESSES = 2


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _jobs(selected: set[str], tmp: Path) -> dict[str, dict]:
    """What to grade: each selected case in a folder of its own, plus solutions/ and the stubs;
    the whole-curriculum folders and the MNIST cases first, so that no long job starts last."""
    jobs = {name: {"folder": str(folder), "exercises": list(KEYS), "seed": case_seed(name),
                   "result": str(tmp / f"{name}.json")}
            for name, folder in FOLDERS.items() if name in selected}
    for path in sorted(CASES, key=lambda p: exercise_key(p) != "ex08"):
        if _case_id(path) in selected:
            folder = write_case(path, tmp / _case_id(path).replace("/", "-")).parent
            jobs[_case_id(path)] = {"folder": str(folder), "exercises": [exercise_key(path)],
                                    "seed": case_seed(path.name), "result": str(tmp / f"{folder.name}.json")}
    return jobs


def _grade_all(jobs: dict[str, dict], tmp: Path) -> dict[str, SubmissionResult]:
    listing = tmp / "jobs.json"
    listing.write_text(json.dumps(list(jobs.values())))
    running = [subprocess.Popen([sys.executable, str(RUNNER), str(listing)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(min(PROCESSES, len(jobs)))]
    for process in running:
        _, errors = process.communicate(timeout=2400)
        assert process.returncode == 0, f"a grading process crashed:\n{errors[-3000:]}"
    return {name: SubmissionResult.from_dict(json.loads(Path(job["result"]).read_text()))
            for name, job in jobs.items()}


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionResult]:
    """Results of every submission this run's selected tests need."""
    selected = {item.callspec.params[name] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")
                for name in ("case", "folder") if name in item.callspec.params}
    tmp = tmp_path_factory.mktemp("catalog")
    return _grade_all(_jobs(selected, tmp), tmp)


@pytest.mark.parametrize("case", [_case_id(p) for p in CASES])
def test_catalog_case(graded, case):
    path = next(p for p in CASES if _case_id(p) == case)
    result = graded[case]
    skipped = [c for c in result.checks if c.status == SKIPPED]
    assert all(c.name == "trains_on_cuda" for c in skipped), f"unexpected skips: {skipped}"
    result.checks = [c for c in result.checks if c.status != SKIPPED]
    assert_case(result, parse_expectations(path))


def test_every_buggy_case_expects_a_failure():
    for path in CASES:
        if path.parent.name == "buggy":
            assert parse_expectations(path), f"{path.name} lists no expect-failed line"


@pytest.mark.parametrize("folder", ["solutions"])
def test_solutions_get_full_marks(graded, folder):
    result = graded[folder]
    failed = [f"{c.exercise}.{c.name}: {c.message}" for c in result.checks if c.status not in (PASSED, SKIPPED)]
    assert not failed, "\n".join(failed)
    assert {c.exercise for c in result.checks} == set(KEYS)
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("folder", ["solutions"])
def test_cuda_check_is_skipped_without_a_gpu(graded, folder):
    cuda = [c for c in graded[folder].checks if c.name == "trains_on_cuda"]
    assert len(cuda) == 1 and cuda[0].status == SKIPPED, cuda
    assert cuda[0].message == "needs --device cuda and a GPU"


@pytest.mark.parametrize("folder", ["stubs"])
def test_shipped_stubs_score_zero(graded, folder):
    result = graded[folder]
    for key in KEYS:
        checks = [c for c in result.checks if c.exercise == key]
        assert checks, f"no check ran for {key}"
        scored = [f"{c.name} ({c.points})" for c in checks if c.points > 0]
        assert not scored, f"the shipped {key} stub scores points: {scored}"


def test_ex08_without_mnist_says_how_to_prepare_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPLAB_DATA", str(tmp_path / "no-data"))
    result = grade_case(REPO / "solutions" / "ex08_mnist.py", tmp_path)
    assert result.checks and all(c.status != PASSED for c in result.checks)
    for check in result.checks:
        assert "MNIST is not prepared" in check.message and "looplab data" in check.message, check.message
