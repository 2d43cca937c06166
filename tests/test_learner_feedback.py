"""Errors point at the learner's line with advice; a hanging test stops early and names the likely cause."""
from __future__ import annotations

import os
import sys

import pytest
import torch
from _advice import advice_for
from _feedback import explain_failure, is_untouched_stub
from _loader import load_exercise
from _time_limit import timeout_message
from learner_support import copy_exercises, fill_from_solution, run_visible_tests
from torch import nn


def _excinfo_of(function, *args) -> pytest.ExceptionInfo:
    with pytest.raises(Exception) as excinfo:
        function(*args)
    return excinfo


def test_an_error_points_at_the_learners_line_with_the_exercises_advice(tmp_path):
    (tmp_path / "ex08_mnist.py").write_text(
        "from torch import nn\n\n\ndef scores(images):\n    model = nn.Linear(784, 10)\n    return model(images)\n")
    module = load_exercise(tmp_path / "ex08_mnist.py")
    message = explain_failure(_excinfo_of(module.scores, torch.zeros(5, 1, 28, 28)), tmp_path, "ex08")
    assert message.startswith("Your code raised RuntimeError: mat1 and mat2 shapes cannot be multiplied")
    assert "\n  at ex08_mnist.py, line 6: return model(images)" in message
    assert "Advice: each image is [1, 28, 28]" in message and "flatten first" in message


def test_an_error_in_the_tests_use_of_a_returned_model_names_that_call(tmp_path):
    (tmp_path / "test_ex08_mnist.py").write_text("import torch\n\n\ndef use(model):\n"
                                                 "    return model(torch.zeros(5, 1, 28, 28))\n")
    test_module = load_exercise(tmp_path / "test_ex08_mnist.py")
    message = explain_failure(_excinfo_of(test_module.use, nn.Linear(784, 10)), tmp_path, "ex08")
    assert ("when the test used what your code returned: return model(torch.zeros(5, 1, 28, 28)) "
            "(test_ex08_mnist.py, line 5)") in message
    assert "flatten first" in message


@pytest.mark.parametrize("mistake, advice", [
    (lambda: nn.Linear(2, 1)(torch.zeros(3, 2, dtype=torch.float64)), "different dtypes"),
    (lambda: nn.Linear(2, 1).to("meta")(torch.zeros(3, 2)), "different devices"),
    (lambda: float(torch.zeros(3)), "a tensor came where a Python float was expected"),
    (lambda: f"{torch.zeros(2):.4f}", "a tensor came where a Python float was expected"),
    (lambda: nn.CrossEntropyLoss()(torch.zeros(3, 10), torch.zeros(3, 1, dtype=torch.long)), "class indices"),
    (lambda: torch.zeros(2, requires_grad=True).sum().detach().backward(), "without a graph"),
], ids=["dtype", "device", "float-of-tensor", "format-of-tensor", "cross-entropy-target", "no-graph"])
def test_known_torch_errors_get_advice(mistake, advice):
    with pytest.raises(Exception) as excinfo:
        mistake()
    assert advice in advice_for(str(excinfo.value), "ex04")


def test_exercise_specific_advice_comes_first_only_for_its_exercise():
    message = "result type Float can't be cast to the desired output type Long"
    assert "BCEWithLogitsLoss takes float labels" in advice_for(message, "ex07")
    assert advice_for(message, "ex04").startswith("two tensors of different dtypes")


def test_only_a_stubs_own_not_implemented_error_means_not_started(tmp_path):
    (tmp_path / "ex06_devices.py").write_text(
        "import torchlike\n\n\ndef stub():\n    raise NotImplementedError('ex06: implement stub()')\n\n\n"
        "def started():\n    return torchlike.kernel()\n")
    (tmp_path / "torchlike.py").write_text("def kernel():\n    raise NotImplementedError('no meta kernel')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        module = load_exercise(tmp_path / "ex06_devices.py")
    finally:
        sys.path.remove(str(tmp_path))
    assert is_untouched_stub(_excinfo_of(module.stub), tmp_path)
    assert not is_untouched_stub(_excinfo_of(module.started), tmp_path)


@pytest.mark.parametrize("source, cause", [
    ("xb, yb = next(iter(loader))", "an iterator rebuilt forever"),
    ("while count < epochs:", "a loop that never ends: nothing inside this `while`"),
    ("loss = loss_fn(model(x), y)", "a loop that never ends (a `while` whose condition never changes) or an "
                                    "iterator rebuilt forever"),
])
def test_the_timeout_message_names_the_likely_cause(source, cause):
    message = timeout_message(30, source, "ex03_minibatches.py, line 7")
    assert message.startswith(f"Stopped after 30 s: this test did not finish in time. Your code was running "
                              f"ex03_minibatches.py, line 7: {source}")
    assert f"Likely cause: {cause}" in message


def test_in_a_run_errors_point_at_the_learner_and_a_hanging_test_is_stopped(tmp_path):
    folder = copy_exercises(tmp_path)
    (folder / "ex08_mnist.py").write_text((folder / "ex08_mnist.py").read_text().replace(
        '    raise NotImplementedError("ex08: implement build_model() in exercises/ex08_mnist.py")',
        "    return nn.Linear(784, 10)"))
    fill_from_solution(folder, "ex03_minibatches", "loss = loss_fn(model(x), y)",
                       "loss = loss_fn(model(x.double()), y)")
    fill_from_solution(folder, "ex10_grad_accumulation",
                       "for xc, yc in zip(torch.chunk(x, micro_batches), torch.chunk(y, micro_batches)):",
                       "while True:\n        xc, yc = next(iter(zip(torch.chunk(x, micro_batches), "
                       "torch.chunk(y, micro_batches))))")
    result = run_visible_tests(folder, "-q", "--timeout", "8", "-k", "test_build_model or "
                               "test_train_epochs_takes_one_step or test_accumulated_step_returns")
    out = result.stdout
    assert "Your code raised RuntimeError: mat1 and mat2 shapes cannot be multiplied" in out, out
    assert "when the test used what your code returned: scores = model(" in out
    assert "Advice: each image is [1, 28, 28]" in out
    assert "at ex03_minibatches.py, line" in out and ": loss = loss_fn(model(x.double()), y)" in out, out
    assert "Advice: two tensors of different dtypes met" in out
    assert "Stopped after 8 s: this test did not finish in time. Your code was running ex10_grad_accumulation.py" in out
    assert "Likely cause: " in out
    assert "site-packages" not in out


def test_visible_tests_get_a_learner_sized_time_limit(tmp_path):
    folder = copy_exercises(tmp_path)
    (tmp_path / "limits_probe.py").write_text(
        "def pytest_collection_finish(session):\n"
        "    for item in session.items:\n"
        "        marker = item.get_closest_marker('timeout')\n"
        "        print('LIMIT', item.path.stem[5:9], marker.args[0] if marker else None)\n")
    env_path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"], saved = env_path, os.environ.get("PYTHONPATH")
    try:
        limits = {tuple(line.split()[1:]) for line in
                  run_visible_tests(folder, "--co", "-q", "-p", "limits_probe").stdout.splitlines()
                  if line.startswith("LIMIT")}
    finally:
        os.environ.pop("PYTHONPATH") if saved is None else os.environ.update(PYTHONPATH=saved)
    assert ("ex03", "30") in limits and ("ex08", "120") in limits
    assert {limit for _, limit in limits} == {"30", "120"}
