"""What a learner sees: `pytest exercises/` fails every exercise as shipped, passes on solutions."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.curriculum import CURRICULUM
from grader.paths import EXERCISES_DIR, REPO_ROOT


def _pytest_exercises(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOOPLAB_TARGET": ""}
    return subprocess.run([sys.executable, "-m", "pytest", "exercises/", "-p", "no:cacheprovider", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def on_stubs() -> subprocess.CompletedProcess:
    return _pytest_exercises("-q", "-rA")


@pytest.fixture(scope="module")
def on_solutions() -> subprocess.CompletedProcess:
    return _pytest_exercises("-q", "--solutions")


def test_every_exercise_fails_as_shipped(on_stubs):
    assert on_stubs.returncode == 1, on_stubs.stdout[-3000:]
    assert " passed" not in on_stubs.stdout.splitlines()[-1], on_stubs.stdout[-3000:]
    for item in CURRICULUM:
        assert f"  {item.key}  " in on_stubs.stdout, f"{item.key} missing from the progress summary"


def test_failures_name_the_function_to_implement_without_torch_tracebacks(on_stubs):
    assert "  ex02  The five-line loop: implement train_step() in exercises/ex02_five_line_loop.py" in on_stubs.stdout
    assert "site-packages/torch" not in on_stubs.stdout


def test_untouched_stubs_are_one_line_each_before_the_table(on_stubs):
    before_table = on_stubs.stdout.split("looplab progress (exercises/)")[0]
    assert "Not implemented yet" not in on_stubs.stdout  # no failure section, no short summary line
    started = before_table.split("Not started yet:")[1].splitlines()[1:]
    stubs = [item.key for item in CURRICULUM if "NotImplementedError" in (EXERCISES_DIR / item.filename).read_text()]
    assert [line.split()[0] for line in started] == stubs  # ex09 ships broken loops that run
    assert " not started in " in on_stubs.stdout.splitlines()[-1]


def test_the_summary_names_the_next_exercise_and_its_hint(on_stubs):
    assert "Next: ex01" in on_stubs.stdout
    assert "Hint 1 of 3: " in on_stubs.stdout


def test_every_exercise_passes_on_the_solutions(on_solutions):
    assert on_solutions.returncode == 0, on_solutions.stdout[-3000:]
    assert "All exercises run here pass" in on_solutions.stdout


def test_one_exercise_runs_alone_with_its_marker():
    result = _pytest_exercises("-q", "-m", "ex02", "--solutions")
    assert result.returncode == 0, result.stdout[-2000:]
    table = result.stdout.split("looplab progress")[-1]
    assert "  ex02  " in table and "  ex03  " not in table
    assert "ex02 passes. Next: ex03, Minibatches and DataLoader -> exercises/ex03_minibatches.py" in table


def test_a_syntax_error_is_reported_as_a_sentence(tmp_path):
    broken = tmp_path / "ex02_five_line_loop.py"
    broken.write_text("def train_step(:\n")
    sys.path.insert(0, str(REPO_ROOT / "exercises"))
    try:
        from _loader import ExerciseImportError, load_exercise

        with pytest.raises(ExerciseImportError, match="syntax error on line 1"):
            load_exercise(broken)
    finally:
        sys.path.remove(str(REPO_ROOT / "exercises"))
