"""Hidden checks for exercise 4, run_epoch, where the mean of batch means and the sample mean differ.

Why these checks cannot be passed without the work: every grading draws its own sample count and
batch size (never dividing evenly, so a short last batch always exists), plane, start weights and
learning rate (``draw``), drawn again until the mean of the batch means clearly differs from the
sample mean. The expected losses and weights come from the grader's own epoch over the same batches
from the same start; mode, gradient tracking, backward and step are read from the model the grader
handed in, and the parameters are compared before and after. The messages show the learner's own
numbers and how far they are off, never the grader's.
"""
from __future__ import annotations

import math
import random

import pytest
import torch
from torch import nn

from grader.grading import replay
from grader.grading.device_judging import expect_moved_to_meta
from grader.harness import datasets
from grader.hidden.conftest import observe
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect
from grader.grading.loop_order import Position, count, order_problems

EXERCISE = "ex04"


def _draw_once(rng: random.Random) -> dict:
    """9-30 samples in batches of 3-8 (at least two full ones and a short one), lr 0.05-0.2."""
    size = rng.randrange(3, 9)
    n = rng.choice([n for n in range(9, 31) if n % size and n // size >= 2])
    weights = [round(rng.choice((-1, 1)) * rng.uniform(0.5, 2.0), 4) for _ in range(2)]
    return {"n": n, "batch_size": size, "weights": weights, "bias": round(rng.uniform(-2.0, 2.0), 4),
            "seed": seed_in(rng), "lr": rng.choice((0.05, 0.1, 0.15, 0.2))}


def draw(rng: random.Random) -> dict:
    """Inputs whose mean of batch means is clearly not the sample mean (drawn again until so)."""
    inputs = _draw_once(rng)
    while not _tells_the_means_apart(inputs):
        inputs = _draw_once(rng)
    return inputs


def _tells_the_means_apart(inputs: dict) -> bool:
    sample_mean, batch_means, _ = _losses(inputs, 0.0)
    return abs(sample_mean - batch_means) > 1e-3


def _batches(inputs: dict) -> list[tuple[torch.Tensor, torch.Tensor]]:
    x, y = datasets.plane(inputs["n"], tuple(inputs["weights"]), inputs["bias"], seed=inputs["seed"])
    return replay.batches_of(x, y, inputs["batch_size"])


def _losses(inputs: dict, lr: float) -> tuple[float, float, nn.Linear]:
    """The grader's own epoch from the same start: (sample mean, mean of batch means, model after)."""
    model = datasets.seeded_linear(2, 1, inputs["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    sample_means, batch_means = replay.epoch_means(model, nn.MSELoss(), optimizer, _batches(inputs), epochs=1)
    return sample_means[0], batch_means[0], model


INPUTS = inputs_for(EXERCISE, draw)
ALSO_RUN_ON = ("meta",)  # the device checks run the child on meta too: started ahead with the rest
BATCHES = math.ceil(INPUTS["n"] / INPUTS["batch_size"])
SIZES = f"{INPUTS['n'] // INPUTS['batch_size']} batches of {INPUTS['batch_size']} and a last one of " \
        f"{INPUTS['n'] % INPUTS['batch_size']}"


def _expect_sample_mean(record: dict, lr: float, what: str) -> None:
    expect(record["loss_type"] == "float",
           f"run_epoch() returned a {record['loss_type']} when {what}, expected a Python float: use loss.item()")
    want, batch_means, _ = _losses(INPUTS, lr)
    got = record["loss"]
    shown = "a non-finite number" if got is None else f"{got:.5f}"
    means = " (that is the mean of the batch means)" if got is not None and abs(got - batch_means) < 1e-5 else ""
    gap = "" if got is None else f", {abs(got - want):.2g} off"
    expect(got is not None and abs(got - want) < 1e-5,
           f"run_epoch() {what} on {INPUTS['n']} samples in {SIZES} returned {shown}{means}{gap} the mean over the "
           f"{INPUTS['n']} samples: add loss.item() * len(x) per batch, then divide by the number of samples")


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
           f"evaluation made {len(forwards)} forward passes over {SIZES}, expected {BATCHES}, one per batch")
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
    expect(steps == BATCHES, f"training on {SIZES} took {steps} optimizer steps, expected {BATCHES}, one per batch")
    problems = order_problems(record["events"], Position(BATCHES))
    expect(not problems, problems[0] if problems else "")
    state = observed.state("train")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after run_epoch()")
    _, _, reference = _losses(INPUTS, INPUTS["lr"])
    got = torch.cat([state["weight"].flatten(), state["bias"]])
    want = torch.cat([reference.weight.detach().flatten(), reference.bias.detach()])
    expect(torch.allclose(got, want, atol=1e-5),
           f"after one training epoch (SGD, lr={INPUTS['lr']}) the weights are {[round(v, 5) for v in got.tolist()]}, "
           f"up to {(got - want).abs().max().item():.2g} away from the grader's epoch over the same batches from the "
           "same start: one forward, loss, zero_grad, backward, step per batch")


@pytest.mark.points(3)
def test_training_averages_the_loss_by_sample_count(observed):
    """With an optimizer, run_epoch returns the mean loss over samples, as a float."""
    _expect_sample_mean(observed.scenario("train_lr0", "run_epoch"), 0.0, "training with lr=0")


@pytest.mark.points(1)
def test_run_epoch_uses_the_device(request):
    """With device="meta", run_epoch moves the model and every batch there."""
    record = observe(request.config, EXERCISE, INPUTS, device="meta").scenario("train_on_meta", "run_epoch")
    expect_moved_to_meta(record, "run_epoch(..., device=meta)")
