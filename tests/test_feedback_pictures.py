"""--feedback shows each training exercise's loss beside the reference loop's, as a PNG whose
numbers are read back from its metadata; the learner's terminal shows a sparkline."""
from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.authoring.catalog_patch import case_source
from grader.grading.grade import GradeOptions, grade_submission
from grader.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from grader.reports import feedback
from grader.reports.loss_plot import coarse, read_numbers

sys.path.insert(0, str(EXERCISES_DIR))
from _curves import Curves, curve_line, sparkline  # noqa: E402  (lives in exercises/)


def _graded_feedback(submission: Path, out: Path) -> dict:
    result = grade_submission(submission, GradeOptions(sandbox="none", exercises=("ex03",), seed=7, threads=1))
    pages = feedback.write(result, out)
    picture = out / f"{result.learner}.ex03.loss.png"
    assert all(picture.name in page.read_text() for page in pages), [p.name for p in pages]
    return read_numbers(picture)


def test_the_reference_solution_draws_the_reference_curve(tmp_path):
    drawn = _graded_feedback(SOLUTIONS_DIR, tmp_path)
    assert drawn["yours"] == drawn["reference"] and len(drawn["yours"]) >= 3
    assert drawn["yours"][-1] < drawn["yours"][0]


def test_a_loop_without_zero_grad_draws_a_curve_apart_from_the_reference(tmp_path):
    submission = tmp_path / "alice"
    submission.mkdir()
    (submission / "ex03_minibatches.py").write_text(
        case_source(REPO_ROOT / "tests" / "catalog" / "buggy" / "ex03_missing_zero_grad.case"))
    drawn = _graded_feedback(submission, tmp_path / "out")
    assert len(drawn["yours"]) == len(drawn["reference"]) and drawn["yours"] != drawn["reference"]
    assert (tmp_path / "out" / "alice.html").read_text().count("<img") == 1


def test_the_numbers_drawn_are_too_coarse_to_paste():
    assert coarse([0.0123456, 2.8322], 2.8322) == [0.01, 2.83]
    assert coarse([0.00123456], 0.00123456) == [0.001]  # never finer than 0.001


def test_the_sparkline_scales_both_curves_alike():
    assert sparkline([4.0, 2.0, 0.0], 0.0, 4.0) == "█▅▁"
    assert sparkline([1.0] * 100, 0.0, 1.0) == "█" * 24
    line = curve_line({"yours": [2.0, 2.0], "reference": [2.0, 0.0]})
    assert line == "losses per epoch  yours ██ 2 -> 2   reference █▁ (its shape)"


def test_the_summary_shows_the_curve_under_the_failing_exercise():
    curves = Curves()
    report = SimpleNamespace(when="call", failed=True, user_properties=[
        ("looplab_losses", {"yours": [3.0, 1.0], "reference": None})])
    curves.record("ex03", report)
    lines = curves.under_rows(["  ex02  The five-line loop   done", "  ex03  Minibatches   to do"], {"ex03"})
    assert lines[-1] == "      losses per epoch  yours █▁ 3 -> 1"
    assert len(lines) == 3


@pytest.mark.parametrize("losses", [["a", "b"], [float("nan")], None])
def test_losses_that_are_not_numbers_draw_nothing(losses):
    from _curves import plain_numbers

    assert plain_numbers(losses) == []
