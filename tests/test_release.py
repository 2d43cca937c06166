"""looplab release: the learner bundle has what a learner needs and leaks nothing hidden.

A solution line is *secret* when it sits in a solution region, is at least 20 characters long,
and is not part of what the kit publishes on purpose (the generated stubs, the visible tests and
the hints: they share idioms such as ``optimizer.zero_grad()`` with the solutions). No secret
line, region marker or hidden test name may appear anywhere in the bundle.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from grader.exports.release import write_bundle
from grader.authoring.stubgen import BEGIN_SOLUTION, END_SOLUTION, exercise_key, make_stub

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN STUB", "HIDDEN TESTS")
_TEST_NAME = re.compile(r"def (test_\w+)")
HIDDEN_DIR = REPO_ROOT / "grader" / "hidden"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "looplab"
    write_bundle(out)
    return out


def texts(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(errors="replace")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def region_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN_SOLUTION, END_SOLUTION):
            inside = line.strip() == BEGIN_SOLUTION
        elif inside and len(line.strip()) >= 20:
            lines.append(line.strip())
    return lines


def secret_lines() -> set[str]:
    solutions = sorted(SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py"))
    public = "\n".join([make_stub(p.read_text(), exercise_key(p), p.name) for p in solutions]
                       + [p.read_text() for p in EXERCISES_DIR.glob("test_ex*.py")]
                       + [p.read_text() for p in EXERCISES_DIR.glob("*.hint.md")])
    return {line for path in solutions for line in region_lines(path.read_text()) if line not in public}


def hidden_test_names() -> set[str]:
    """Hidden test names, less those a visible test also uses (a shared name is public)."""
    hidden = {n for p in HIDDEN_DIR.glob("*.py") for n in _TEST_NAME.findall(p.read_text())}
    visible = {n for p in EXERCISES_DIR.glob("test_*.py") for n in _TEST_NAME.findall(p.read_text())}
    return hidden - visible


def leaks(folder: Path) -> list[str]:
    secrets, names = secret_lines(), hidden_test_names()
    found = []
    for path, text in texts(folder).items():
        found += [f"{path}: marker {m!r}" for m in MARKERS if m in text]
        words = set(re.findall(r"\w+", text))
        found += [f"{path}: hidden test name {n}" for n in names if n in words]
        found += [f"{path}: solution line {line!r}" for line in secrets if line in text]
    return found


def test_bundle_has_what_a_learner_needs(bundle):
    files = set(texts(bundle))
    for solution in SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py"):
        assert f"exercises/{solution.name}" in files
    for name in ("conftest.py", "_loader.py", "_feedback.py", "_progress.py", "test_ex02_five_line_loop.py",
                 "ex02_five_line_loop.hint.md"):
        assert f"exercises/{name}" in files
    assert {"README.md", "Makefile", "pyproject.toml", "data/README.md", "grader/mnist.py"} <= files
    assert not [f for f in files if f.startswith(("solutions/", "grader/hidden/"))]
    # of the child's harness only the loop spy ships, which the visible tests run: no probe, no child
    assert {f for f in files if f.startswith("grader/harness/")} <= {"grader/harness/__init__.py",
                                                                     "grader/harness/spy.py"}


def test_bundle_stubs_are_the_generated_ones(bundle):
    for solution in SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py"):
        stub = make_stub(solution.read_text(), exercise_key(solution), solution.name)
        assert (bundle / "exercises" / solution.name).read_text() == stub


def test_nothing_hidden_leaks_into_the_bundle(bundle):
    assert len(secret_lines()) >= 20, "too few secret lines: the leak check would prove little"
    assert hidden_test_names(), "no hidden test names to look for"
    assert leaks(bundle) == []


def test_the_leak_check_catches_a_copied_solution_and_hidden_suite(tmp_path):
    for source in (SOLUTIONS_DIR / "ex02_five_line_loop.py", HIDDEN_DIR / "test_ex02_five_line_loop.py"):
        (tmp_path / source.name).write_text(source.read_text())
    found = leaks(tmp_path)
    assert any("solution line" in f for f in found) and any("hidden test name" in f for f in found)
    assert any("marker" in f for f in found)


def test_bundle_cli_offers_learner_commands_only_and_visible_tests_collect(bundle):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOOPLAB_TARGET")}
    probe = "import grader, grader.cli as c; print(grader.__file__, c.COMMANDS)"
    shown = subprocess.run([sys.executable, "-c", probe], cwd=bundle, env=env, capture_output=True,
                           text=True, timeout=60)
    assert shown.stdout.split() == [str(bundle / "grader" / "__init__.py"), "('data',", "'watch',", "'hint',", "'progress')"], shown.stderr
    collected = subprocess.run([sys.executable, "-m", "pytest", "exercises", "--collect-only", "-q"],
                               cwd=bundle, env=env, capture_output=True, text=True, timeout=120)
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]


def test_bundle_learner_commands_run_and_their_state_is_ignored(bundle):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOOPLAB_TARGET")}
    shown = subprocess.run([sys.executable, "-m", "grader", "progress"], cwd=bundle, env=env, capture_output=True,
                           text=True, timeout=60)
    assert shown.returncode == 0 and "Progress: [----------] 0/10 exercises done" in shown.stdout, shown.stderr
    assert "exercises/.looplab/" in (bundle / ".gitignore").read_text().splitlines()


def test_bundle_offers_no_option_that_needs_solutions(bundle):
    learner_texts = {path: text for path, text in texts(bundle).items() if path.endswith((".md", "Makefile"))}
    assert not [path for path, text in learner_texts.items() if "--solutions" in text or "solutions/" in text]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOOPLAB_TARGET")}
    asked = subprocess.run([sys.executable, "-m", "pytest", "exercises", "--solutions", "-q"],
                           cwd=bundle, env=env, capture_output=True, text=True, timeout=120)
    output = asked.stdout + asked.stderr
    assert asked.returncode != 0 and "Traceback" not in output
    assert "there is none here" in output and "Run `pytest exercises/` to test your own code" in output


def test_bundle_helpers_hold_no_training_loop(bundle):
    helpers = {path: text for path, text in texts(bundle).items()
               if path.startswith("exercises/_") and path.endswith(".py")}
    assert "exercises/_reference.py" in helpers
    loops = [f"{path}: {name}" for path, text in helpers.items() for name in training_loops(text)]
    assert loops == []


def training_loops(source: str) -> list[str]:
    """Functions that both call ``.backward()`` and ``.step()``: a training loop, most of an answer."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            calls = {call.func.attr for call in ast.walk(node)
                     if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)}
            if {"backward", "step"} <= calls:
                found.append(node.name)
    return found


def test_the_loop_check_finds_the_old_reference_loop():
    old = "def run(m, opt, x):\n    for xb in x:\n        m(xb).sum().backward()\n        opt.step()\n"
    assert training_loops(old) == ["run"]


def test_recorded_reference_numbers_agree_with_the_graders_loop():
    from grader.exports.visible_records import load_reference, record

    reference = load_reference()
    fresh = record(reference)
    assert fresh.keys() == reference.RECORDED.keys()
    for case, values in fresh.items():
        for name, value in values.items():
            got, want = reference.RECORDED[case][name], value
            pairs = zip(got, want) if isinstance(want, list) else [(got, want)]
            assert all(abs(a - b) < 1e-6 for a, b in pairs), f"{case}.{name}: rerun python -m grader.exports.visible_records"


def test_recorded_block_is_rewritten_from_the_loop(tmp_path):
    from grader.exports.visible_records import REFERENCE_FILE, rewrite

    copy = tmp_path / "_reference.py"
    copy.write_text(REFERENCE_FILE.read_text().replace('"losses": [', '"losses": [99.0, ', 1))
    rewrite(copy)
    assert copy.read_text() == REFERENCE_FILE.read_text()
