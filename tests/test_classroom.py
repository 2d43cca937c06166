"""looplab classroom: the workflow file, and its grading step run in a fake checkout."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exports.classroom_package import WORKFLOW, build
from grader.curriculum import exercise
from grader.paths import SOLUTIONS_DIR

yaml = pytest.importorskip("yaml")
EX02 = exercise("ex02")
GRADER = "git+https://${{ secrets.LOOPLAB_TOKEN }}@github.com/course/looplab-grader.git"


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> dict:
    path = build(tmp_path_factory.mktemp("classroom"), GRADER, exercises=("ex02",))
    return yaml.safe_load(path.read_text())


def steps_of(workflow: dict) -> dict[str, dict]:
    return {step["name"]: step for step in workflow["jobs"]["run-autograding-tests"]["steps"]}


def run_grading_step(workflow: dict, repo: Path, tmp_path: Path) -> tuple[dict, str]:
    """Run the workflow's grading step as the runner would, with this machine's Python."""
    bin_dir, output = tmp_path / "bin", tmp_path / "github_output"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    output.write_text("")
    env = {**os.environ, "GITHUB_WORKSPACE": str(repo), "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    step = steps_of(workflow)["Grade with looplab"]
    cwd = step.get("working-directory", str(repo)).replace("${{ runner.temp }}", str(tmp_path))
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=cwd,  # Actions' default: the checkout
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    name, _, value = output.read_text().strip().partition("=")
    assert name == "result"
    return json.loads(base64.b64decode(value)), done.stdout


def test_workflow_installs_the_grader_and_reports_through_classroom(workflow):
    job = workflow["jobs"]["run-autograding-tests"]
    assert set(workflow[True] if True in workflow else workflow["on"]) >= {"push"}
    assert job["env"]["LOOPLAB_GRADER"] == GRADER
    steps = steps_of(workflow)
    install = steps["Install looplab's grader"]["run"]
    assert "pip install torch torchvision --index-url" in install and 'pip install "$LOOPLAB_GRADER"' in install
    reporter = steps["Report points to GitHub Classroom"]
    assert reporter["uses"] == "education/autograding-grading-reporter@v1"
    runner = reporter["with"]["runners"]
    assert reporter["env"][f"{runner.upper()}_RESULTS"] == f"${{{{ steps.{runner}.outputs.result }}}}"
    assert steps["Grade with looplab"]["id"] == runner and "Prepare MNIST" not in steps


def test_workflow_prepares_mnist_only_when_graded(tmp_path):
    text = build(tmp_path, GRADER).read_text()
    assert "python -m grader data" in text and "--exercise" not in text
    with pytest.raises(ValueError):
        build(tmp_path, 'pkg"; rm -rf /')


def test_python_steps_run_outside_the_checkout(tmp_path):
    """From the repository root, the learner bundle's own grader/ folder would shadow the installed
    grader (`python -m grader...` puts the working directory first on sys.path)."""
    steps = steps_of(yaml.safe_load(build(tmp_path, GRADER).read_text()))
    python_steps = [step for step in steps.values() if "python " in step.get("run", "")]
    assert len(python_steps) == 3 and "Prepare MNIST" in steps
    assert all(step["working-directory"] == "${{ runner.temp }}" for step in python_steps)


def test_grading_step_reports_every_check_with_its_points(workflow, tmp_path):
    repo = tmp_path / "repo"
    (repo / "exercises").mkdir(parents=True)
    shadow = repo / "grader" / "exports"  # `looplab release` puts a grader/ folder in the repository
    shadow.mkdir(parents=True)
    for init in (repo / "grader" / "__init__.py", shadow / "__init__.py"):
        init.write_text("")
    (shadow / "platform_run.py").write_text('raise SystemExit("the repository\'s grader/ ran, not looplab\'s")\n')
    (repo / "exercises" / EX02.filename).write_text((SOLUTIONS_DIR / EX02.filename).read_text())
    (repo / "README.md").write_text("my looplab work\n")
    result, stdout = run_grading_step(workflow, repo, tmp_path)
    assert result["version"] == 1 and result["status"] == "pass" and result["max_score"] == 15.0
    assert len(result["tests"]) == 6 and sum(test["score"] for test in result["tests"]) == 15.0
    assert {test["filename"] for test in result["tests"]} == {f"exercises/{EX02.filename}"}
    assert "Points 15/15" in stdout


def test_grading_step_scores_stubs_zero_with_reasons(workflow, tmp_path):
    repo = tmp_path / "repo"
    (repo / "exercises").mkdir(parents=True)
    (repo / "exercises" / EX02.filename).write_text("def train_step(*args):\n    raise NotImplementedError\n")
    result, stdout = run_grading_step(workflow, repo, tmp_path)
    assert result["status"] == "fail" and sum(test["score"] for test in result["tests"]) == 0
    assert all(test["message"] for test in result["tests"]) and "Points 0/15" in stdout
