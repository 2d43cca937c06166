"""looplab gradescope: the autograder zip, and its run_autograder against a fake /autograder root."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.curriculum import exercise
from grader.exports.gradescope_package import TEMPLATES, build
from grader.paths import SOLUTIONS_DIR

EX02 = exercise("ex02")
TEST_KEYS = {"name", "score", "max_score", "status", "output"}


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("gradescope"), exercises=("ex02",), visibility="after_published")


def run_autograder(zip_path: Path, root: Path, files: dict[str, str]) -> tuple[dict, str]:
    """Unpack the zip as Gradescope does, upload ``files``, run run_autograder, read results.json."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    env = {**os.environ, "LOOPLAB_AUTOGRADER_ROOT": str(root), "LOOPLAB_PYTHON": sys.executable,
           "LOOPLAB_EXERCISES": "ex02"}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stdout


def test_zip_holds_scripts_grader_and_hidden_suites_but_no_solutions(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        contents = {name: archive.read(name) for name in infos}
    for script in ("setup.sh", "run_autograder"):
        assert infos[script].external_attr >> 16 & 0o111, f"{script} is not executable"
    assert "looplab/grader/hidden/test_ex02_five_line_loop.py" in infos and "looplab/pyproject.toml" in infos
    settings = json.loads(contents["looplab-autograder.json"])
    assert settings == {"exercises": ["ex02"], "visibility": "after_published", "mnist": "unused"}
    assert not [name for name in infos if "solutions/" in name or "__pycache__" in name]
    solutions = {path.read_bytes() for path in SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py")}
    assert not solutions & set(contents.values())
    setup = contents["setup.sh"].decode()
    assert setup == (TEMPLATES / "setup.sh").read_text()


def test_correct_nested_submission_gets_full_marks_with_the_chosen_visibility(autograder_zip, tmp_path):
    solution = (SOLUTIONS_DIR / EX02.filename).read_text()
    results, stdout = run_autograder(autograder_zip, tmp_path, {f"exercises/{EX02.filename}": solution})
    assert f"grader from {tmp_path / 'source' / 'looplab' / 'grader'}" in stdout
    assert f"looplab: graded exercises/{EX02.filename}" in stdout
    assert results["score"] == 15.0
    assert len(results["tests"]) == 6
    for test in results["tests"]:
        assert TEST_KEYS <= set(test)
        assert (test["status"], test["score"]) == ("passed", test["max_score"])
        assert test["visibility"] == "after_published"


def test_the_visibility_is_one_gradescope_knows(tmp_path):
    with pytest.raises(ValueError, match="after_published"):
        build(tmp_path, exercises=("ex02",), visibility="later")
    with zipfile.ZipFile(build(tmp_path, exercises=("ex08",), with_data=False)) as archive:
        assert json.loads(archive.read("looplab-autograder.json"))["mnist"] == "download"


def test_syntax_error_gets_zero_with_the_reason_in_every_test(autograder_zip, tmp_path):
    broken = (SOLUTIONS_DIR / EX02.filename).read_text().replace("def fit(", "def fit(:", 1)
    results, _ = run_autograder(autograder_zip, tmp_path, {EX02.filename: broken})
    assert results["score"] == 0
    assert sum(test["max_score"] for test in results["tests"]) == 15.0
    for test in results["tests"]:
        assert TEST_KEYS <= set(test)
        assert test["status"] == "failed" and test["score"] == 0
        assert "syntax error" in test["output"]


def test_a_crashing_grader_still_writes_results(autograder_zip, tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    env_python = tmp_path / "venv" / "bin" / "python"
    env_python.write_text("#!/bin/sh\nexit 3\n")
    env_python.chmod(0o755)
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tmp_path / "source")
    (tmp_path / "submission").mkdir()
    env = {**os.environ, "LOOPLAB_AUTOGRADER_ROOT": str(tmp_path)}
    env.pop("LOOPLAB_PYTHON", None)
    subprocess.run(["bash", str(tmp_path / "source" / "run_autograder")], env=env, capture_output=True,
                   timeout=60, check=True)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and "exit status 3" in results["output"]
