"""Hidden checks for exercise 4, run_epoch, where the mean of batch means and the sample mean differ."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from grader.harness import datasets
from grader.judging import expect
from grader.loop_order import Position, count, order_problems

EXERCISE = "ex04"
INPUTS = {"n": 11, "batch_size": 4, "weights": [1.5, 0.5], "bias": -2.0, "seed": 41, "lr": 0.1}
BATCHES = math.ceil(INPUTS["n"] / INPUTS["batch_size"])  # batches of 4, 4 and 3


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    x, y = datasets.plane(INPUTS["n"], tuple(INPUTS["weights"]), INPUTS["bias"], seed=INPUTS["seed"])
    size = INPUTS["batch_size"]
    return [(x[i:i + size], y[i:i + size]) for i in range(0, INPUTS["n"], size)]


def _losses(lr: float) -> tuple[float, float, nn.Linear]:
    """The grader's own epoch from the same start: (sample mean, mean of batch means, model after)."""
    model = datasets.seeded_linear(2, 1, INPUTS["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    batch_losses = []
    for x, y in _batches():
        loss = nn.MSELoss()(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batch_losses.append((loss.item(), len(x)))
    sample_mean = sum(loss * size for loss, size in batch_losses) / INPUTS["n"]
    return sample_mean, sum(loss for loss, _ in batch_losses) / len(batch_losses), model


def _expect_sample_mean(record: dict, lr: float, what: str) -> None:
    expect(record["loss_type"] == "float",
           f"run_epoch() returned a {record['loss_type']} when {what}, expected a Python float: use loss.item()")
    want, batch_means, _ = _losses(lr)
    got = record["loss"]
    shown = "a non-finite number" if got is None else f"{got:.5f}"
    expect(got is not None and abs(got - want) < 1e-5,
           f"run_epoch() {what} on 11 samples in batches of 4, 4 and 3 returned {shown}, expected {want:.5f}, the "
           f"mean over the 11 samples (the mean of the 3 batch means is {batch_means:.5f}): add "
           "loss.item() * len(x) per batch, then divide by the number of samples")


def _forwards(observed, name: str) -> list[dict]:
    events = observed.scenario(name, "run_epoch")["events"]
    return [event for event in events if event["kind"] == "forward"]


@pytest.mark.points(4)
def test_evaluation_averages_the_loss_by_sample_count(observed):
    """Without an optimizer, run_epoch returns the exact mean loss over samples, as a float."""
    _expect_sample_mean(observed.scenario("evaluate", "run_epoch"), 0.0, "evaluating")


@pytest.mark.points(3)
def test_evaluation_runs_in_eval_mode(observed):
    """Evaluation switches a model that came in train mode to eval mode (Dropout off)."""
    forwards = _forwards(observed, "evaluate_dropout")
    in_train = sum(event["training"] for event in forwards)
    expect(len(forwards) == BATCHES,
           f"evaluation made {len(forwards)} forward passes, expected {BATCHES}, one per batch")
    expect(in_train == 0, f"{in_train} of {BATCHES} evaluation forward passes ran in train mode, so Dropout was "
           "still dropping: call model.eval() when no optimizer is given")


@pytest.mark.points(3)
def test_evaluation_tracks_no_gradients_and_changes_nothing(observed):
    """Evaluation runs under torch.no_grad(), with no backward, no step and unchanged weights."""
    for name in ("evaluate", "evaluate_dropout"):
        record = observed.scenario(name, "run_epoch")
        forwards = [event for event in record["events"] if event["kind"] == "forward"]
        with_grad = sum(event["grad"] for event in forwards)
        expect(with_grad == 0, f"{with_grad} of {len(forwards)} evaluation forward passes tracked gradients: wrap "
               "evaluation in torch.no_grad()")
        calls = count(record["events"], "backward"), count(record["events"], "step")
        expect(calls == (0, 0), f"evaluation ran backward {calls[0]} times and optimizer.step() {calls[1]} times, "
               "expected neither without an optimizer")
        before, after = observed.state(f"{name}_before"), observed.state(name)
        changed = sorted(k for k in before if k not in after or not torch.equal(before[k], after[k]))
        expect(not changed, f"evaluation changed the parameters {', '.join(changed)}, expected them unchanged")


@pytest.mark.points(3)
def test_training_runs_in_train_mode(observed):
    """With an optimizer, a model that came in eval mode is switched to train mode."""
    forwards = _forwards(observed, "train_dropout")
    in_eval = sum(not event["training"] for event in forwards)
    without_grad = sum(not event["grad"] for event in forwards)
    expect(forwards, "training made no forward pass")
    expect(in_eval == 0, f"{in_eval} of {len(forwards)} training forward passes ran in eval mode (the model came in "
           "eval mode, as after an evaluation): call model.train() when an optimizer is given")
    expect(without_grad == 0, f"{without_grad} of {len(forwards)} training forward passes tracked no gradients: "
           "keep torch.no_grad() for evaluation only")


@pytest.mark.points(3)
def test_training_takes_one_step_per_batch(observed):
    """One zero_grad, backward, step per batch; the weights equal the grader's own epoch."""
    record = observed.scenario("train", "run_epoch")
    steps = count(record["events"], "step")
    expect(steps == BATCHES, f"training on batches of 4, 4 and 3 took {steps} optimizer steps, expected {BATCHES}")
    problems = order_problems(record["events"], Position(BATCHES))
    expect(not problems, problems[0] if problems else "")
    state = observed.state("train")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after run_epoch()")
    _, _, reference = _losses(INPUTS["lr"])
    got = torch.cat([state["weight"].flatten(), state["bias"]])
    want = torch.cat([reference.weight.detach().flatten(), reference.bias.detach()])
    expect(torch.allclose(got, want, atol=1e-5),
           f"after one training epoch (SGD, lr={INPUTS['lr']}) the weights are {[round(v, 5) for v in got.tolist()]}, "
           f"expected {[round(v, 5) for v in want.tolist()]} from the same start")


@pytest.mark.points(3)
def test_training_averages_the_loss_by_sample_count(observed):
    """With an optimizer, run_epoch returns the mean loss over samples, as a float."""
    _expect_sample_mean(observed.scenario("train_lr0", "run_epoch"), 0.0, "training with lr=0")
