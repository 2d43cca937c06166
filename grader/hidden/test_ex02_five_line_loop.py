"""Hidden checks for exercise 2, the five-line loop, on a line the learner never saw.

Why these checks cannot be passed without the work: every grading draws its own line, sample
count, start weights, learning rate and epoch counts (``draw``), and the expected weights come from
the grader's own replay of the same steps from the same start; the call-order checks count only
backwards and steps that reach the model the grader handed in (or the one ``fit_line`` returns),
and a recorded step must also have moved the weights as the replay's step did.
"""
from __future__ import annotations

import random

import pytest
import torch
from torch import nn

from grader.harness import datasets
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_call_order, losses_of, near
from grader.grading.loop_order import count

EXERCISE = "ex02"


def draw(rng: random.Random) -> dict:
    """A line with slope 0.5-2 either way, 60-140 samples, lr 0.1-0.2 (fit_line converges within its
    80-150 epochs)."""
    return {"n": rng.randrange(60, 141), "slope": round(rng.choice((-1, 1)) * rng.uniform(0.5, 2.0), 4),
            "intercept": round(rng.uniform(-1.0, 1.0), 4), "seed": seed_in(rng),
            "lr": rng.choice((0.11, 0.13, 0.15, 0.18, 0.2)), "epochs": rng.randrange(4, 11),
            "line_epochs": rng.randrange(80, 151)}


INPUTS = inputs_for(EXERCISE, draw)


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


def _expect_weights(observed, name: str, reference: nn.Module, function: str, what: str) -> None:
    """The weights equal the replay's; the message compares how far each moved from the start."""
    state = observed.state(name)
    expect(set(state) == {"weight", "bias"}, f"the grader could not read the weights after {function}()")
    start = datasets.seeded_linear(1, 1, INPUTS["seed"]).weight.item()
    got, want = state["weight"].item(), reference.weight.item()
    expect(abs(got - want) < 1e-4,
           f"{function}() moved the weight by {got - start:+.5f}; {what} from the same start moves it by "
           f"{want - start:+.5f}: the update does not match forward, loss, zero_grad, backward, step")


def _weights_match(observed, name: str, reference: nn.Module) -> bool:
    state = observed.state(name)
    return set(state) == {"weight", "bias"} and abs(state["weight"].item() - reference.weight.item()) < 1e-6 \
        and abs(state["bias"].item() - reference.bias.item()) < 1e-6


def _least_squares() -> tuple[float, float]:
    """Slope and intercept of the best line through this grading's data (where SGD converges)."""
    x, y = _data()
    design = torch.cat([x, torch.ones_like(x)], dim=1).double()
    solution = torch.linalg.lstsq(design, y.double()).solution.flatten()
    return solution[0].item(), solution[1].item()


@pytest.mark.points(2)
def test_train_step_returns_loss_as_float(observed):
    """train_step returns the loss of the batch as a Python float."""
    record = observed.scenario("train_step", "train_step")
    expect(record["loss_type"] == "float",
           f"train_step() returned a {record['loss_type']}, expected a Python float: return loss.item()")
    x, y = _data()
    want = nn.MSELoss()(datasets.seeded_linear(1, 1, INPUTS["seed"])(x), y).item()
    after = nn.MSELoss()(_reference("SGD", 1)(x), y).item()
    when = " (that is the loss after the step)" if near(record["loss"], after, 1e-5) else ""
    expect(near(record["loss"], want, 1e-5),
           f"train_step() returned a loss that is not the loss of the model it was handed on the batch it was "
           f"handed{when}: compute the loss before optimizer.step() and return loss.item()")


@pytest.mark.points(2)
def test_train_step_call_order(observed):
    """One backward onto cleared gradients, then one optimizer step."""
    record = observed.scenario("train_step", "train_step")
    expect_call_order(record["events"], weights_match=_weights_match(observed, "train_step", _reference("SGD", 1)))
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
    _expect_weights(observed, "train_step", _reference("SGD", 1), "train_step",
                    f"one step of SGD(lr={INPUTS['lr']})")
    observed.scenario("train_step_adam", "train_step")
    _expect_weights(observed, "train_step_adam", _reference("Adam", 1), "train_step",
                    f"one step of Adam(lr={INPUTS['lr']})")


@pytest.mark.points(1)
def test_train_step_clears_gradients_it_is_handed(observed):
    """train_step clears gradients left by an earlier backward before its own backward."""
    observed.scenario("train_step_stale", "train_step")
    if not _weights_match(observed, "train_step_stale", _reference("SGD", 1)):
        expect(False, "train_step() was handed a model whose .grad still held an earlier backward's gradients, "
               "and its step used them too: call optimizer.zero_grad() before loss.backward() in train_step "
               "(clearing after the step only helps if every caller hands in clean gradients)")


@pytest.mark.points(3)
def test_fit_runs_one_step_per_epoch(observed):
    """fit takes one step per epoch, returns one float loss per epoch, and they fall."""
    record = observed.scenario("fit", "fit")
    epochs = INPUTS["epochs"]
    losses = losses_of(record, "fit", epochs)
    steps = count(record["events"], "step")
    expect(steps == epochs, f"fit() took {steps} optimizer steps for {epochs} epochs, expected {epochs}")
    expect_call_order(record["events"], weights_match=_weights_match(observed, "fit", _reference("SGD", epochs)))
    expect(losses[-1] < losses[0], f"fit() losses went from {losses[0]:.4f} to {losses[-1]:.4f}: they should fall")
    _expect_weights(observed, "fit", _reference("SGD", epochs), "fit",
                    f"{epochs} full-batch steps of SGD(lr={INPUTS['lr']})")


@pytest.mark.points(4)
def test_fit_line_learns_the_hidden_line(observed):
    """fit_line builds its own Linear(1, 1) + SGD and recovers slope and intercept."""
    record = observed.scenario("fit_line", "fit_line")
    losses = losses_of(record, "fit_line", INPUTS["line_epochs"])
    state = observed.state("fit_line")
    expect(set(state) == {"weight", "bias"}, "fit_line() should return (model, losses) with model = nn.Linear(1, 1)")
    weight, bias = state["weight"].item(), state["bias"].item()
    slope, intercept = _least_squares()
    lr, epochs = INPUTS["lr"], INPUTS["line_epochs"]
    rates = sorted({event["lr"] for event in record["events"] if event["kind"] == "step"} - {None})
    expect(rates in ([], [lr]), f"fit_line(x, y, epochs={epochs}, lr={lr}) stepped with lr={', '.join(map(str, rates))}: "
           "build the optimizer with the lr fit_line is given")
    steps = count(record["events"], "step")
    expect(steps == INPUTS["line_epochs"],
           f"fit_line() took {steps} optimizer steps on the model it returned for {INPUTS['line_epochs']} "
           "epochs, expected one per epoch")
    for name, got, best in (("weight", weight, slope), ("bias", bias, intercept)):
        expect(near(got, best, 0.05),
               f"fit_line(x, y, epochs={epochs}, lr={lr}) learned a {name} {abs(got - best):.3f} away from the "
               f"best line through the data it was given (allowed: 0.05): train nn.Linear(1, 1) on x and y with "
               f"SGD at the lr it is given")
    expect(losses[-1] < losses[0], f"fit_line() losses went from {losses[0]:.4f} to {losses[-1]:.4f}: they should fall")

