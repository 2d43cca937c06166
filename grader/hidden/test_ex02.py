"""Hidden checks for exercise 2, the five-line loop, on a line the learner never saw."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from grader.harness import datasets
from grader.judging import expect, losses_of, near
from grader.loop_order import count, order_problems

EXERCISE = "ex02"
INPUTS = {"n": 83, "slope": -1.3, "intercept": 0.7, "seed": 11, "lr": 0.1, "epochs": 7,
          "line_epochs": 100}


def _data():
    return datasets.line(INPUTS["n"], INPUTS["slope"], INPUTS["intercept"], seed=INPUTS["seed"])


def _reference(optimizer_name: str, steps: int) -> nn.Linear:
    """The parent's own run of the same steps from the same start."""
    x, y = _data()
    model = datasets.seeded_linear(1, 1, INPUTS["seed"])
    cls = torch.optim.Adam if optimizer_name == "Adam" else torch.optim.SGD
    optimizer = cls(model.parameters(), lr=INPUTS["lr"])
    for _ in range(steps):
        optimizer.zero_grad()
        nn.MSELoss()(model(x), y).backward()
        optimizer.step()
    return model


def _expect_weights(observed, name: str, reference: nn.Module, function: str) -> None:
    state = observed.state(name)
    expect(set(state) == {"weight", "bias"}, f"the grader could not read the weights after {function}()")
    got, want = state["weight"].item(), reference.weight.item()
    expect(abs(got - want) < 1e-4,
           f"after {function}() the weight is {got:.5f}, expected {want:.5f} from the same start: "
           "the update does not match forward, loss, zero_grad, backward, step")


@pytest.mark.points(2)
def test_train_step_returns_loss_as_float(observed):
    """train_step returns the loss of the batch as a Python float."""
    record = observed.scenario("train_step", "train_step")
    expect(record["loss_type"] == "float",
           f"train_step() returned a {record['loss_type']}, expected a Python float: return loss.item()")
    x, y = _data()
    want = nn.MSELoss()(datasets.seeded_linear(1, 1, INPUTS["seed"])(x), y).item()
    expect(near(record["loss"], want, 1e-5),
           f"train_step() returned {record['loss']}, expected the loss before the step, {want:.5f}")


@pytest.mark.points(3)
def test_train_step_call_order(observed):
    """One backward onto cleared gradients, then one optimizer step."""
    record = observed.scenario("train_step", "train_step")
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    steps = count(record["events"], "step")
    expect(steps == 1, f"optimizer.step() ran {steps} times in one train_step(), expected once")
    # the events are the child's word; a step that really ran moved the weights the parent reads
    start, state = datasets.seeded_linear(1, 1, INPUTS["seed"]), observed.state("train_step")
    expect("weight" in state and state["weight"].item() != start.weight.item(),
           "the recorded calls say optimizer.step() ran, but the weights after train_step() are "
           "still the starting ones")


@pytest.mark.points(3)
def test_train_step_updates_like_sgd_and_adam(observed):
    """The weights after one step match the grader's own step (SGD and Adam)."""
    observed.scenario("train_step", "train_step")
    _expect_weights(observed, "train_step", _reference("SGD", 1), "train_step")
    observed.scenario("train_step_adam", "train_step")
    _expect_weights(observed, "train_step_adam", _reference("Adam", 1), "train_step")


@pytest.mark.points(3)
def test_fit_runs_one_step_per_epoch(observed):
    """fit takes one step per epoch, returns one float loss per epoch, and they fall."""
    record = observed.scenario("fit", "fit")
    epochs = INPUTS["epochs"]
    losses = losses_of(record, "fit", epochs)
    steps = count(record["events"], "step")
    expect(steps == epochs, f"fit() took {steps} optimizer steps for {epochs} epochs, expected {epochs}")
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    expect(losses[-1] < losses[0], f"fit() losses went from {losses[0]:.4f} to {losses[-1]:.4f}: they should fall")
    _expect_weights(observed, "fit", _reference("SGD", epochs), "fit")


@pytest.mark.points(4)
def test_fit_line_learns_the_hidden_line(observed):
    """fit_line builds its own Linear(1, 1) + SGD and recovers slope and intercept."""
    record = observed.scenario("fit_line", "fit_line")
    losses = losses_of(record, "fit_line", INPUTS["line_epochs"])
    state = observed.state("fit_line")
    expect(set(state) == {"weight", "bias"}, "fit_line() should return (model, losses) with model = nn.Linear(1, 1)")
    weight, bias = state["weight"].item(), state["bias"].item()
    expect(near(weight, INPUTS["slope"], 0.05),
           f"fit_line() learned weight {weight:.3f}, expected {INPUTS['slope']} +/- 0.05")
    expect(near(bias, INPUTS["intercept"], 0.05),
           f"fit_line() learned bias {bias:.3f}, expected {INPUTS['intercept']} +/- 0.05")
    expect(losses[-1] < losses[0], f"fit_line() losses went from {losses[0]:.4f} to {losses[-1]:.4f}: they should fall")
    steps = count(record["events"], "step")
    expect(steps == INPUTS["line_epochs"],
           f"fit_line() took {steps} optimizer steps for {INPUTS['line_epochs']} epochs, expected one per epoch")
