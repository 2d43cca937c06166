"""A learner's folder may hold pytest files of its own (a zip of the kit's `exercises/` brings
its `conftest.py`; a learner may write one on purpose). The hidden suites run in the grading
process, so pytest must never load such a file there: it would run learner code unsandboxed,
and a conftest.py that fails to import would leave every check unrun."""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.grading.grade import GradeOptions, grade_submission

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
EX01 = "ex01_loop_by_hand.py"


def hand_in(folder: Path, conftest: str) -> Path:
    """A learner folder as unzipping a zip of exercises/ gives, with ``conftest`` beside ex01."""
    exercises = folder / "alice" / "exercises"
    exercises.mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX01, exercises / EX01)
    (exercises / "conftest.py").write_text(conftest)
    return folder / "alice"


def test_a_learners_conftest_is_never_run_by_the_grader(tmp_path):
    marker = tmp_path / "conftest-ran"
    learner = hand_in(tmp_path, f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n")
    result = grade_submission(learner, GradeOptions(exercises=("ex01",), threads=1))
    assert not marker.exists()
    assert result.checks and all(check.status == "passed" for check in result.checks)


def test_a_kit_conftest_that_cannot_import_leaves_the_checks_running(tmp_path):
    """The kit's own exercises/conftest.py imports _curves, which a partial zip may lack."""
    learner = hand_in(tmp_path, "from _curves import Curves\n")
    result = grade_submission(learner, GradeOptions(exercises=("ex01",), threads=1))
    assert result.score == result.max_score > 0 and not result.error
