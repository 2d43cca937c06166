"""looplab prairielearn: the question and image folders, and run.sh under a fake /grade root."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.curriculum import exercise
from grader.paths import SOLUTIONS_DIR
from grader.exports.prairielearn_package import ENTRYPOINT, build

EX02 = exercise("ex02")
TEST_KEYS = {"name", "points", "max_points", "message", "output"}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prairielearn")
    build(out, exercises=("ex02",), image="course/looplab-grader:2025")
    return out


def grade_job(package: Path, root: Path, files: dict[str, str]) -> tuple[dict, str]:
    """Lay out a PrairieLearn grading job under ``root`` and run the question's entrypoint."""
    shutil.copytree(package / "questions" / "looplab" / "tests", root / "tests")
    (root / "student").mkdir()
    for name, text in files.items():
        (root / "student" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "student" / name).write_text(text)
    env = {**os.environ, "LOOPLAB_GRADE_ROOT": str(root), "LOOPLAB_PYTHON": sys.executable,
           "PYTHONPATH": str(package / "image" / "looplab")}
    done = subprocess.run(["bash", str(root / "tests" / "run.sh")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stdout


def test_question_names_the_image_the_entrypoint_and_the_upload(package):
    question = package / "questions" / "looplab"
    info = json.loads((question / "info.json").read_text())
    assert info["gradingMethod"] == "External" and info["type"] == "v3"
    assert info["externalGradingOptions"] == {"enabled": True, "image": "course/looplab-grader:2025",
                                              "entrypoint": ENTRYPOINT, "timeout": 600}
    assert ENTRYPOINT == "/grade/tests/run.sh" and (question / "tests" / "run.sh").stat().st_mode & 0o111
    html = (question / "question.html").read_text()
    assert f'<pl-file-upload file-names="{EX02.filename}">' in html and "<pl-external-grader-results>" in html


def test_image_holds_the_grader_but_no_solutions(package):
    image = package / "image"
    dockerfile = (image / "Dockerfile").read_text()
    assert "pip install --no-cache-dir torch torchvision --index-url" in dockerfile
    assert 'python -c "import torch, torchvision"' in dockerfile and "grader data" not in dockerfile
    assert (image / "looplab" / "grader" / "hidden" / "test_ex02_five_line_loop.py").exists()
    files = [p for p in image.rglob("*") if p.is_file()]
    solutions = {p.read_bytes() for p in SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py")}
    assert not [p for p in files if p.read_bytes() in solutions or "__pycache__" in p.parts]


def test_an_exercise_on_mnist_prepares_it_in_the_image(tmp_path):
    build(tmp_path, exercises=("ex08",))
    assert "RUN python -m grader data\n" in (tmp_path / "image" / "Dockerfile").read_text()


def test_correct_nested_upload_scores_one(package, tmp_path):
    solution = (SOLUTIONS_DIR / EX02.filename).read_text()
    results, stdout = grade_job(package, tmp_path, {f"exercises/{EX02.filename}": solution})
    assert f"looplab: graded exercises/{EX02.filename}" in stdout
    assert results["gradable"] is True and results["score"] == 1.0
    assert len(results["tests"]) == 6
    for test in results["tests"]:
        assert TEST_KEYS <= set(test) and test["points"] == test["max_points"] > 0


def test_a_failing_check_scores_its_share_and_says_why(package, tmp_path):
    broken = (SOLUTIONS_DIR / EX02.filename).read_text().replace("def fit(", "def fit(:", 1)
    results, _ = grade_job(package, tmp_path, {EX02.filename: broken})
    assert results["gradable"] is True and results["score"] == 0.0
    assert all("syntax error" in test["message"] and test["points"] == 0 for test in results["tests"])


def test_an_upload_without_exercise_modules_is_not_gradable(package, tmp_path):
    results, _ = grade_job(package, tmp_path, {"notes.txt": "my answers are in my head\n"})
    assert results["gradable"] is False
    assert "no exercise modules found" in results["format_errors"][0]
