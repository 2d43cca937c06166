"""The visible tests name the cause of a known mistake in the grader's words, on the learner's machine.

Each mistake is a change to a reference solution (a catalog case, or a hunk written here). The
mutated modules go into a temporary copy of ``exercises/`` and ``pytest`` runs there as a learner
would run it; the failure messages are read back from its JUnit XML. Mistakes of different
exercises share one run, so the whole file costs three short pytest runs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from grader.authoring.catalog_patch import apply, case_source, hunks, solution_lines
from grader.curriculum import exercise
from grader.paths import EXERCISES_DIR, REPO_ROOT

CATALOG = REPO_ROOT / "tests" / "catalog" / "buggy"

FIT_NUMPY_WITH_AUTOGRAD = """\
<<<<<<< solution
            errors = w * x[batch] + b - y[batch]
            squared_errors += float(np.sum(errors ** 2))
            grad_w = 2 * float(np.mean(errors * x[batch]))
            grad_b = 2 * float(np.mean(errors))
=======
            import torch
            tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
            loss = ((tw * torch.from_numpy(x[batch]) + tb - torch.from_numpy(y[batch])) ** 2).mean()
            loss.backward()
            squared_errors += loss.item() * len(batch)
            grad_w, grad_b = tw.grad.item(), tb.grad.item()
>>>>>>> submission
"""

EVALUATE_RETURNS_A_TENSOR = """\
<<<<<<< solution
    return correct / len(test_set)
=======
    return torch.tensor(correct / len(test_set))
>>>>>>> submission
"""

TRAIN_STEP_RETURNS_THE_TENSOR = """\
<<<<<<< solution
    return loss.item()
=======
    return loss
>>>>>>> submission
"""

# the learner's mistake -> (its module, the test that must fail, words its message must hold)
FIRST_RUN = {
    "no zero_grad": (case_source(CATALOG / "ex03_missing_zero_grad.case"),
                     "test_train_epochs_call_order_and_weights",
                     "gradients accumulated across steps: nothing cleared .grad before backward in epoch 1, batch 2"),
    "fit_numpy with torch autograd": (apply(solution_lines("ex01"), hunks(FIT_NUMPY_WITH_AUTOGRAD)),
                                      "test_uses_no_torch", "fit_numpy() called PyTorch ("),
    "sigmoid before BCEWithLogitsLoss": (case_source(CATALOG / "ex07_sigmoid_before_bce.case"),
                                         "test_train_classifier_applies_bce_with_logits_to_raw_logits",
                                         "BCEWithLogitsLoss received probabilities (a sigmoid was applied"),
    "evaluate returns a 0-dim tensor": (apply(solution_lines("ex08"), hunks(EVALUATE_RETURNS_A_TENSOR)),
                                        "test_evaluate_returns_the_fraction_answered_correctly",
                                        "evaluate() returned a Tensor, expected a Python float"),
}
SECOND_RUN = {
    "zero_grad between backward and step": (
        case_source(CATALOG / "ex03_zero_grad_between_backward_and_step.case"),
        "test_train_epochs_call_order_and_weights",
        "the gradients were cleared between loss.backward() and optimizer.step() in epoch 1, batch 1"),
    "train_step returns the loss tensor": (apply(solution_lines("ex02"), hunks(TRAIN_STEP_RETURNS_THE_TENSOR)),
                                           "test_train_step_returns_the_loss_as_a_float",
                                           "train_step returned a Tensor, expected a Python float"),
}
SLOW_TESTS = "not learns_digits and not fit_binary_plane"  # long training runs no mistake here needs


def run_visible_tests(folder: Path, modules: dict[str, str], selection: str, env: dict | None = None
                      ) -> dict[str, tuple[str, str]]:
    """Copy ``exercises/`` into ``folder``, write ``modules`` (key -> source) over the stubs, run
    ``pytest -m selection``; returns {test name: (outcome, message)} for every test that ran."""
    copy = folder / "exercises"
    shutil.copytree(EXERCISES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", ".looplab"))
    for key, source in modules.items():
        (copy / exercise(key).filename).write_text(source)
    report = folder / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", str(copy), "-m", selection, "-k", SLOW_TESTS,
                    "-p", "no:cacheprovider", f"--junitxml={report}", "-q"],
                   cwd=folder, capture_output=True, text=True, timeout=600,
                   env={**os.environ, "LOOPLAB_TARGET": "", **(env or {})})
    return _outcomes(report)


def _outcomes(report: Path) -> dict[str, tuple[str, str]]:
    found = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = case.get("name").split("[")[0]
        problem = next(iter([*case.iter("failure"), *case.iter("error"), *case.iter("skipped")]), None)
        outcome = "passed" if problem is None else problem.tag
        message = "" if problem is None else (problem.get("message") or "") + (problem.text or "")
        if name not in found or outcome != "passed":
            found[name] = (outcome, message)
    return found


def _runs(folder: Path, mistakes: dict) -> dict[str, tuple[str, str]]:
    modules = {source_key(test): source for source, test, _ in mistakes.values()}
    return run_visible_tests(folder, modules, " or ".join(sorted(modules)))


def source_key(test_name: str) -> str:
    """The exercise a visible test belongs to, from the visible test files."""
    for path in EXERCISES_DIR.glob("test_ex[0-9][0-9]_*.py"):
        if f"def {test_name}(" in path.read_text():
            return path.name.split("_")[1]
    raise KeyError(test_name)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> dict[str, tuple[str, str]]:
    return _runs(tmp_path_factory.mktemp("first"), FIRST_RUN)


@pytest.fixture(scope="module")
def second_run(tmp_path_factory) -> dict[str, tuple[str, str]]:
    return _runs(tmp_path_factory.mktemp("second"), SECOND_RUN)


@pytest.mark.parametrize("mistake", sorted(FIRST_RUN))
def test_a_known_mistake_fails_a_visible_test_that_names_its_cause(first_run, mistake):
    _, test, words = FIRST_RUN[mistake]
    outcome, message = first_run.get(test, ("not run", ""))
    assert outcome == "failure" and words in message, (mistake, outcome, message[:500])


@pytest.mark.parametrize("mistake", sorted(SECOND_RUN))
def test_another_known_mistake_fails_a_visible_test_that_names_its_cause(second_run, mistake):
    _, test, words = SECOND_RUN[mistake]
    outcome, message = second_run.get(test, ("not run", ""))
    assert outcome == "failure" and words in message, (mistake, outcome, message[:500])


def test_missing_mnist_is_a_failure_that_names_the_command(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    outcomes = run_visible_tests(tmp_path, {"ex08": "\n".join(solution_lines("ex08")) + "\n"}, "ex08",
                                 env={"LOOPLAB_DATA": str(empty)})
    needing_data = {name: result for name, result in outcomes.items()
                    if name != "test_build_model_gives_10_scores_per_image"}
    assert needing_data and all(outcome == "error" for outcome, _ in needing_data.values()), needing_data
    assert all("looplab data" in message for _, message in needing_data.values())
