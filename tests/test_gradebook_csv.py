"""The CSV gradebook: text cells that a spreadsheet would run as a formula are neutralised, and
every row records the seed its hidden inputs were drawn from."""
import csv
import io

from grader.reports import gradebook_csv
from grader.results import PASSED, CheckResult, SubmissionResult


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
