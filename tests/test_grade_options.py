"""grade_submission refuses what it cannot grade with a sentence, and runs CUDA where present."""
from pathlib import Path

import pytest
import torch

from grader.grading.grade import GradeOptions, grade_submission
from grader.paths import SOLUTIONS_DIR

needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(),
                               reason="no CUDA GPU on this machine: the --device cuda run is not exercised")


def test_a_missing_folder_is_an_error_not_a_crash(tmp_path: Path):
    result = grade_submission(tmp_path / "nobody")
    assert result.error.endswith("is not a folder of exercise modules") and result.checks == []


def test_an_unknown_exercise_is_named():
    result = grade_submission(SOLUTIONS_DIR, GradeOptions(exercises=("ex42",)))
    assert "no exercise 'ex42'" in result.error


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_says_so():
    result = grade_submission(SOLUTIONS_DIR, GradeOptions(device="cuda", exercises=("ex02",)))
    assert result.error == "--device cuda was asked for, but no CUDA GPU is visible on this machine"


@needs_gpu
def test_solutions_get_full_marks_on_cuda_including_the_gpu_only_check():
    result = grade_submission(SOLUTIONS_DIR, GradeOptions(device="cuda", exercises=("ex02", "ex06", "ex08")))
    assert not result.error
    assert result.score == result.max_score, [c for c in result.checks if c.status != "passed"]
    assert any(c.name == "trains_on_cuda" and c.status == "passed" for c in result.checks)
