"""expect_epoch_losses names the first epoch that differs from the grader's own, with numbers."""
import pytest

from grader.grading.judging import CheckFailed, expect_epoch_losses


def test_matching_losses_pass_and_the_first_wrong_epoch_is_named():
    expect_epoch_losses([1.0, 0.5], [1.0, 0.500001], "why")
    with pytest.raises(CheckFailed) as failure:
        expect_epoch_losses([1.0, 0.6, 0.1], [1.0, 0.5, 0.2], "the mean over all samples", "fit(): ")
    assert str(failure.value) == ("fit(): epoch 2 loss is 0.60000, expected 0.50000: "
                                  "the mean over all samples")
