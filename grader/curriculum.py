"""The curriculum as data: the exercises in the order a learner takes them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise: its marker key, its importable module and the functions a learner writes."""

    key: str
    module: str
    title: str
    functions: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.module}.py"


CURRICULUM: tuple[Exercise, ...] = (
    Exercise("ex01", "ex01_loop_by_hand", "The loop by hand (Python and NumPy)",
             ("fit_python", "fit_numpy")),
    Exercise("ex02", "ex02_five_line_loop", "The five-line loop",
             ("train_step", "fit", "fit_line")),
    Exercise("ex03", "ex03_minibatches", "Minibatches and DataLoader",
             ("make_loader", "train_epochs")),
    Exercise("ex04", "ex04_sample_averaging", "Loss averaged by sample count",
             ("run_epoch",)),
    Exercise("ex05", "ex05_best_checkpoint", "Keeping the best checkpoint",
             ("train_with_best_checkpoint",)),
    Exercise("ex06", "ex06_devices", "Device handling",
             ("pick_device", "move_batch", "train_on_device")),
    Exercise("ex07", "ex07_binary_classification", "Binary classification with logits",
             ("make_binary_labels", "train_classifier", "predict", "accuracy")),
    Exercise("ex08", "ex08_mnist", "MNIST with a linear model",
             ("build_model", "train_mnist", "evaluate")),
    Exercise("ex09", "ex09_fix_the_loop", "Fix the loop",
             ("train_full_batch", "make_train_loader", "train_epochs", "regression_loss",
              "collect_losses")),
    Exercise("ex10", "ex10_grad_accumulation", "Gradient accumulation",
             ("accumulated_step",)),
)


def exercise(key: str) -> Exercise:
    """The exercise whose key (``ex03``) or module name (``ex03_minibatches``) is given."""
    for item in CURRICULUM:
        if key in (item.key, item.module):
            return item
    known = ", ".join(item.key for item in CURRICULUM)
    raise KeyError(f"no exercise {key!r}; the curriculum has {known}")
