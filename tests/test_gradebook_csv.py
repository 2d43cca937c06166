"""The CSV gradebook: text cells that a spreadsheet would run as a formula are neutralised, every
row records the seed its hidden inputs were drawn from, says what went wrong when it has no
points and lists the files graded; a check skipped for want of a GPU is blank and out of the
maximum."""
import csv
import io

from grader.reports import gradebook_csv
from grader.results import FAILED, PASSED, SKIPPED, CheckResult, SubmissionResult


def _rows(results) -> list[dict]:
    return list(csv.DictReader(io.StringIO(gradebook_csv.render(results))))


def test_formula_like_names_and_errors_are_written_as_text():
    results = [SubmissionResult(name, error=f"{name} broke") for name in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)")]
    results.append(SubmissionResult("alice", error="=cmd|' /C calc'!A0"))
    rows = _rows(results)
    assert all(row["learner"][0] == "'" or row["learner"] == "alice" for row in rows)
    assert {row["learner"] for row in rows} == {"'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "alice"}
    assert next(row for row in rows if row["learner"] == "alice")["error"] == "'=cmd|' /C calc'!A0"


def test_each_row_carries_its_seed():
    check = CheckResult("ex02", "fit", "fit", 3.0, 3.0, PASSED)
    rows = _rows([SubmissionResult("bob", checks=[check], seed=123456789)])
    assert rows[0]["seed"] == "123456789" and rows[0]["ex02.fit"] == "3"


def test_a_check_skipped_for_want_of_a_gpu_is_blank_and_out_of_the_maximum():
    checks = [CheckResult("ex06", "pick_device", "picks", 2.0, 2.0, PASSED),
              CheckResult("ex06", "trains_on_cuda", "cuda", 3.0, 0.0, SKIPPED, "needs --device cuda and a GPU")]
    [row] = _rows([SubmissionResult("ann", checks=checks)])
    assert row["ex06.trains_on_cuda"] == "" and row["ex06.pick_device"] == "2"
    assert (row["total"], row["max_total"]) == ("2", "2")


def test_every_row_without_points_says_what_went_wrong():
    syntax = "ex02_five_line_loop.py has a syntax error on line 1: invalid syntax"
    failed = [CheckResult("ex02", name, name, 2.0, 0.0, FAILED, syntax) for name in ("a", "b")]
    failed.append(CheckResult("ex03", "c", "c", 2.0, 0.0, FAILED, "training took longer than 60 s"))
    rows = {row["learner"]: row for row in _rows([
        SubmissionResult("bea", checks=failed),
        SubmissionResult("cid", checks=failed[:1], error="no exercise modules found: ..."),
        SubmissionResult("dan", checks=[CheckResult("ex02", "a", "a", 2.0, 2.0, PASSED)])])}
    assert rows["bea"]["error"] == f"no points: ex02: {syntax}; ex03: training took longer than 60 s"
    assert rows["cid"]["error"] == "no exercise modules found: ..."
    assert rows["dan"]["error"] == ""


def test_the_files_graded_are_listed():
    files = {"ex02": "exercises/ex02_five_line_loop.py", "ex03": "hw/ex03_minibatches.py"}
    rows = _rows([SubmissionResult("eve", files=files), SubmissionResult("fay", files={"ex02": "=x/ex02_five_line_loop.py"})])
    assert [row["files"] for row in rows] == ["exercises/ex02_five_line_loop.py; hw/ex03_minibatches.py",
                                              "'=x/ex02_five_line_loop.py"]
