"""Answers without work: submissions that try to score without doing an exercise's work get 0 on
every check they fake (see tests/cheats/README.md), and a grading's seed repeats it exactly."""
from __future__ import annotations

import base64
import importlib
import io
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from torch import nn

from data_support import data_missing
from grader import mnist
from grader.curriculum import exercise
from grader.grading.grade import GradeOptions, grade_submission
from grader.hidden import draw
from grader.results import PASSED, SubmissionResult

CHEATS = Path(__file__).resolve().parent / "cheats"
EARLIER_SEED, LATER_SEED = 1111, 2222


def _header(path: Path, label: str) -> list[str]:
    match = re.search(rf"^# {label}: (.+)$", path.read_text(), re.MULTILINE)
    return [name.strip() for name in match.group(1).split(",")] if match else []


def _submit(name: str, folder: Path, **values: str) -> Path:
    """The cheat ``name`` with its placeholders filled, under its exercise's real module name."""
    source = (CHEATS / name).read_text()
    for key, value in values.items():
        source = source.replace("{{" + key + "}}", value)
    assert "{{" not in source, f"{name} has a placeholder the test did not fill"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / exercise(name[:4]).filename).write_text(source)
    return folder


def _grade(folder: Path, key: str, seed: int, sandbox: str = "auto") -> SubmissionResult:
    return grade_submission(folder, GradeOptions(exercises=(key,), threads=1, seed=seed, sandbox=sandbox))


def _assert_faked_checks_score_zero(name: str, result: SubmissionResult) -> None:
    assert not result.error, result.error
    checks = {check.name: check for check in result.checks}
    for check in _header(CHEATS / name, "scores-zero"):
        assert check in checks, f"{name}: no check named {check}"
        assert checks[check].points == 0, f"{name}: {check} scored {checks[check].points}"
    for check in _header(CHEATS / name, "keeps"):
        assert checks[check].status == PASSED, f"{name}: {check}: {checks[check].message}"


@contextmanager
def _suite_drawn_from(seed: int, key: str):
    """The hidden suite of ``key`` imported as a grading with ``seed`` imports it."""
    draw.use_seed(seed)
    sys.modules.pop(f"grader.hidden.test_{exercise(key).module}", None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            yield importlib.import_module(f"grader.hidden.test_{exercise(key).module}")
    finally:
        draw.use_seed(draw.DEFAULT_SEED)
        sys.modules.pop(f"grader.hidden.test_{exercise(key).module}", None)


def _require_mnist() -> None:
    try:
        mnist.check()
    except mnist.MnistDataError as error:
        data_missing(str(error))


def _earlier_ex02_answers() -> str:
    """What an earlier grading's replay reached, as a learner reading its feedback would paste it."""
    with _suite_drawn_from(EARLIER_SEED, "ex02") as suite:
        pairs = {"train_step": suite._reference("SGD", 1), "fit": suite._reference("SGD", suite.INPUTS["epochs"])}
        answers = {name: (m.weight.item(), m.bias.item()) for name, m in pairs.items()}
        answers["fit_line"] = suite._least_squares()
    return repr(answers)


@pytest.mark.parametrize("name", ["ex02_pasted_values.py", "ex02_detects_grading.py"])
def test_values_from_an_earlier_grading_score_nothing(name, tmp_path):
    folder = _submit(name, tmp_path / "cheat", EARLIER=_earlier_ex02_answers())
    _assert_faked_checks_score_zero(name, _grade(folder, "ex02", LATER_SEED))


def test_an_answer_cached_by_an_earlier_grading_scores_nothing(tmp_path):
    """Without isolation (where the cache can be written at all) the drawn inputs alone make it
    worthless; isolated, the cheat cannot even write it."""
    name = "ex02_cached_answers.py"
    folder = _submit(name, tmp_path / "cheat", CACHE=str(tmp_path / "cache.json"))
    unisolated = {"sandbox": "none"}
    _grade(folder, "ex02", EARLIER_SEED, **unisolated)
    assert (tmp_path / "cache.json").exists(), "the cheat did not leave its cache (the test proves nothing)"
    _assert_faked_checks_score_zero(name, _grade(folder, "ex02", LATER_SEED, **unisolated))
    (tmp_path / "cache.json").unlink()
    _grade(folder, "ex02", EARLIER_SEED)
    assert not (tmp_path / "cache.json").exists(), "an isolated child wrote outside its scratch folder"


def test_throw_away_steps_are_not_the_learners_steps(tmp_path):
    result = _grade(_submit("ex02_pasted_values.py", tmp_path / "cheat", EARLIER=_earlier_ex02_answers()),
                    "ex02", LATER_SEED)
    order = next(check for check in result.checks if check.name == "train_step_call_order")
    assert "optimizer.step() never ran" in order.message or "ran 0 times" in order.message, order.message


def _weights_trained_on_real_mnist() -> str:
    """One epoch of SGD on the real training digits, as base64 of float16 tensors (about 21 KB)."""
    digits = mnist.InMemoryMNIST(train=True)
    torch.manual_seed(0)
    layer = nn.Linear(784, 10)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    x = digits.images.flatten(1)
    for batch in torch.randperm(len(x)).split(64):
        loss = nn.functional.cross_entropy(layer(x[batch]), digits.targets[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    test = mnist.InMemoryMNIST(train=False)
    accuracy = (layer(test.images.flatten(1)).argmax(1) == test.targets).float().mean().item()
    assert accuracy > 0.88, "the shipped weights must be good on real MNIST, or the test proves nothing"
    buffer = io.BytesIO()
    torch.save({"weight": layer.weight.detach().half(), "bias": layer.bias.detach().half()}, buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def test_weights_trained_beforehand_score_nothing(tmp_path):
    _require_mnist()
    name = "ex08_shipped_weights.py"
    folder = _submit(name, tmp_path / "cheat", WEIGHTS=_weights_trained_on_real_mnist())
    result = _grade(folder, "ex08", LATER_SEED)
    _assert_faked_checks_score_zero(name, result)
    accuracy = next(check for check in result.checks if check.name == "grader_measured_test_accuracy")
    assert "secret permutation" in accuracy.message


def test_training_on_the_test_split_scores_nothing(tmp_path):
    _require_mnist()
    """Unisolated, the cheat finds and trains on the real test digits: the secret permutation
    alone makes that worthless (isolated, it would not even find them)."""
    name = "ex08_trains_on_test_split.py"
    folder = _submit(name, tmp_path / "cheat", DATA_ROOT=str(mnist.data_root()))
    result = _grade(folder, "ex08", LATER_SEED, sandbox="none")
    _assert_faked_checks_score_zero(name, result)
    accuracy = next(check for check in result.checks if check.name == "grader_measured_test_accuracy")
    assert "classify" in accuracy.message, f"the cheat did not get to train: {accuracy.message}"


def test_the_child_is_handed_training_digits_never_a_path_to_the_raw_files():
    _require_mnist()
    with _suite_drawn_from(LATER_SEED, "ex08") as suite:
        inputs, readable = suite.child_plan()
    raw = str(mnist.raw_dir().resolve())
    assert not any(raw in str(value) for value in inputs.values()), inputs
    assert len(readable) == 1 and sorted(p.name for p in Path(readable[0]).iterdir()) == ["train.pt"]
    assert "permutation_seed" not in inputs


def test_a_seed_repeats_a_grading_and_fresh_gradings_draw_new_inputs(tmp_path):
    folder = _submit("ex02_pasted_values.py", tmp_path / "cheat", EARLIER=_earlier_ex02_answers())
    once, again = _grade(folder, "ex02", LATER_SEED), _grade(folder, "ex02", LATER_SEED)
    assert once.seed == again.seed == LATER_SEED
    assert [(c.name, c.points, c.message) for c in once.checks] == [(c.name, c.points, c.message) for c in again.checks]
    fresh = [grade_submission(folder, GradeOptions(exercises=("ex02",), threads=1)) for _ in range(2)]
    assert fresh[0].seed != fresh[1].seed
    assert [c.message for c in fresh[0].checks] != [c.message for c in fresh[1].checks]


def test_each_exercise_draws_different_inputs_from_different_seeds():
    drawn: dict[str, list[dict]] = {}
    for seed in (1, 2):
        for key in [f"ex{n:02d}" for n in range(1, 11)]:
            with _suite_drawn_from(seed, key) as suite:
                drawn.setdefault(key, []).append(suite.INPUTS)
    same = [key for key, (first, second) in drawn.items() if first == second]
    assert not same, f"these suites draw the same hidden inputs for every seed: {same}"
