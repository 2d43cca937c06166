"""grader.exports.platform_run: a grader that cannot grade says so in each platform's own results."""
from __future__ import annotations

import base64
import json

import pytest

from grader.exports.platform_run import main


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPLAB_DATA", str(tmp_path / "empty-data"))
    (tmp_path / "upload").mkdir()
    return tmp_path


def run(platform: str, folder, *extra: str) -> dict:
    status = main([platform, "--upload", str(folder / "upload"), "--results", str(folder / "out" / "results.json"),
                   "--exercise", "ex08", *extra])
    assert status == 0
    return json.loads((folder / "out" / "results.json").read_text())


def test_gradescope_shows_the_problem_instead_of_zero_checks(no_mnist):
    results = run("gradescope", no_mnist)
    assert results["score"] == 0 and results["tests"] == []
    assert "cannot grade this submission: ex08 is graded on MNIST, which is not ready" in results["output"]


def test_prairielearn_does_not_count_the_attempt(no_mnist):
    results = run("prairielearn", no_mnist)
    assert results["gradable"] is False and "MNIST" in results["format_errors"][0]


def test_classroom_reports_an_error_out_of_the_exercises_points(no_mnist, capsys):
    output = no_mnist / "github_output"
    results = run("classroom", no_mnist, "--github-output", str(output))
    assert results["status"] == "error" and results["max_score"] > 0
    assert json.loads(base64.b64decode(output.read_text().split("=", 1)[1])) == results
    assert "MNIST, which is not ready" in capsys.readouterr().out


def test_an_unwritable_results_file_exits_2(tmp_path, capsys):
    (tmp_path / "upload").mkdir()
    (tmp_path / "blocked").write_text("a file where a folder should be\n")
    status = main(["gradescope", "--upload", str(tmp_path / "upload"), "--results",
                   str(tmp_path / "blocked" / "results.json"), "--exercise", "ex99"])
    assert status == 2 and "cannot write" in capsys.readouterr().err
