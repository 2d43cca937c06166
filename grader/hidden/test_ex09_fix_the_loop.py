"""Hidden checks for exercise 9, fix the loop: each repaired function is judged by what it does.

The shipped stub keeps one classic bug per function, so it must fail every check here.

Why these checks cannot be passed without the work: every grading draws its own plane (weights,
bias, noise), sample count, batch size (always with a short last batch), learning rate, epochs,
start weights and loader seeds (``draw``); the expected losses and weights come from the grader's
own correct loop on the same data from the same start, and the loader is judged by the orders it
serves, so there is no number to learn from one grading that helps in the next. The draw is
rejected until the mean of the batch means differs clearly from the sample mean, so averaging the
batch losses always fails, and the step counts come only from steps that reach the model under test.
"""
from __future__ import annotations

import math
import random

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.grading import replay
from grader.harness.probes.ex09_fix_the_loop import loss_pair, regression, start
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_train_mode, losses_of
from grader.grading.loop_order import Position, count, order_problems

EXERCISE = "ex09"


def draw(rng: random.Random) -> dict:
    """17-60 samples in batches of 3-9 with a short last batch, 3-6 epochs, lr 0.02-0.1, a plane in 3-d.

    Drawn again until the replay's mean of batch means is at least 1e-3 away from its sample mean in
    some epoch and a correctly shuffled loader serves distinct orders (three epochs, two seeds).
    """
    while True:
        n, size = rng.randrange(17, 61), rng.randrange(3, 10)
        inputs = {"n": n, "batch_size": size, "epochs": rng.randrange(3, 7),
                  "lr": rng.choice((0.02, 0.03, 0.05, 0.08, 0.1)),
                  "weights": [round(rng.choice((-1, 1)) * rng.uniform(0.3, 2.0), 4) for _ in range(3)],
                  "bias": round(rng.uniform(-1.0, 1.0), 4), "noise": round(rng.uniform(0.05, 0.3), 3),
                  "shift": round(rng.uniform(0.3, 1.0), 3), "data_seed": seed_in(rng),
                  "model_seed": seed_in(rng), "loader_seeds": [seed_in(rng), seed_in(rng)]}
        if n % size >= 1 and _batch_means_stand_apart(inputs) and _shuffles_apart(inputs):
            return inputs


def _sample_and_batch_means(inputs: dict) -> list[tuple[float, float]]:
    """Per epoch of the correct minibatch loop: (mean over samples, mean of the batch means)."""
    x, y = regression(inputs)
    model, optimizer = start(inputs)
    epochs = []
    for _ in range(inputs["epochs"]):
        batch_losses = []
        for xb, yb in replay.batches_of(x, y, inputs["batch_size"]):
            loss = nn.MSELoss()(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append((loss.item(), len(xb)))
        epochs.append((sum(v * k for v, k in batch_losses) / len(x),
                       sum(v for v, _ in batch_losses) / len(batch_losses)))
    return epochs


def _batch_means_stand_apart(inputs: dict) -> bool:
    return max(abs(a - b) for a, b in _sample_and_batch_means(inputs)) > 1e-3


def _shuffles_apart(inputs: dict) -> bool:
    """A seeded, shuffling loader gives three distinct non-identity orders, and another seed another."""
    first = _shuffled(inputs, inputs["loader_seeds"][0])
    orders = [_order(first) for _ in range(3)]
    return (len(set(orders)) == 3 and orders[0] != tuple(range(inputs["n"]))
            and _order(_shuffled(inputs, inputs["loader_seeds"][1])) != orders[0])


def _shuffled(inputs: dict, seed: int) -> DataLoader:
    index = torch.arange(float(inputs["n"]))
    return DataLoader(TensorDataset(index), batch_size=inputs["batch_size"], shuffle=True,
                      generator=torch.Generator().manual_seed(seed))


def _order(loader: DataLoader) -> tuple[int, ...]:
    return tuple(int(v) for (xb,) in loader for v in xb.tolist())


INPUTS = inputs_for(EXERCISE, draw)
_BATCHES = math.ceil(INPUTS["n"] / INPUTS["batch_size"])


def _replay(batch_size: int) -> tuple[list[float], nn.Module]:
    """The parent's own correct loop: per-sample mean loss per epoch and the final model."""
    x, y = regression(INPUTS)
    model, optimizer = start(INPUTS)
    batches = replay.batches_of(x, y, batch_size)
    return replay.train_epochs(model, nn.MSELoss(), optimizer, batches, INPUTS["epochs"]), model


def _expect_losses(name: str, losses: list[float], want: list[float], hint: str, batch_size: int) -> None:
    """Each epoch's loss equals the replay's; the message gives the learner's value and the gap only."""
    batch_means = [b for _, b in _sample_and_batch_means(INPUTS)] if batch_size < INPUTS["n"] else None
    for epoch, (got, expected) in enumerate(zip(losses, want), start=1):
        if abs(got - expected) < 1e-5:
            continue
        relation = ""
        if batch_means is not None and abs(got - batch_means[epoch - 1]) < 1e-5:
            relation = " (that is the mean of the batch means, not the mean over the samples)"
        expect(False, f"{name}(): epoch {epoch} loss is {got:.5f}{relation}, {abs(got - expected):.0e} away from "
                      f"the grader's own correct loop on the same data from the same start: {hint}")


_RECORD_LOSSES = ("record each batch's loss as it is computed, before its step (loss.item() * len(xb)), and "
                  "divide the epoch's sum by the number of samples")


def _expect_replayed(observed, name: str, losses: list[float], batch_size: int, hint: str,
                     loss_hint: str = _RECORD_LOSSES) -> None:
    """The weights first (they show whether the training was right), then the recorded losses."""
    want, reference = _replay(batch_size)
    state = observed.state(name)
    expect(set(state) == {"weight", "bias"}, f"the grader could not read the weights after {name}()")
    gap = (state["weight"] - reference.weight.detach()).abs().max().item()
    if gap >= 1e-5:
        _expect_losses(name, losses, want, hint, batch_size)
    expect(gap < 1e-5, f"after {name}() the weights differ by up to {gap:.2e} from the grader's own correct "
                       f"loop over the same {INPUTS['epochs']} epochs: {hint}")
    _expect_losses(name, losses, want, f"the weights are right, so the training is; {loss_hint}", batch_size)


@pytest.mark.points(3)
def test_train_full_batch_steps_after_backward(observed):
    """train_full_batch clears, backpropagates, then steps: plain gradient descent, one step per epoch."""
    record = observed.scenario("train_full_batch", "train_full_batch")
    epochs = INPUTS["epochs"]
    losses = losses_of(record, "train_full_batch", epochs)
    problems = order_problems(record["events"])
    expect(not problems, f"train_full_batch(): {problems[0]}" if problems else "")
    expect_train_mode(record["events"], "train_full_batch()")
    steps = count(record["events"], "step")
    expect(steps == epochs, f"train_full_batch() took {steps} optimizer steps for {epochs} epochs, expected {epochs}")
    _expect_replayed(observed, "train_full_batch", losses, INPUTS["n"],
                     "each epoch is zero_grad, backward, then step, on this epoch's gradient only")


@pytest.mark.points(3)
def test_make_train_loader_shuffles_every_epoch(observed):
    """make_train_loader serves every sample once per epoch, in a new seeded order each epoch."""
    record = observed.scenario("make_train_loader", "make_train_loader")
    n, size = INPUTS["n"], INPUTS["batch_size"]
    epochs = record["epochs"]
    sizes = [size] * (n // size) + ([n % size] if n % size else [])
    for number, epoch in enumerate(epochs, start=1):
        expect(sorted(epoch["order"]) == list(range(n)) and epoch["sizes"] == sizes and epoch["paired"],
               f"epoch {number} of make_train_loader(x, y, batch_size={size}) served samples {epoch['order']} "
               f"in batches of {epoch['sizes']}, expected each of the {n} samples once, with its own target, "
               f"in batches of {sizes}")
    orders = [epoch["order"] for epoch in epochs]
    expect(orders[0] != list(range(n)), "make_train_loader() serves the samples in file order: pass shuffle=True "
                                        "to the DataLoader (sorted data would give sorted batches)")
    expect(len({tuple(order) for order in orders}) == len(orders),
           f"3 epochs of make_train_loader() served the orders {orders}: expected a new order every epoch")
    same, other = record["orders"][:2], record["orders"][2]
    expect(same[0]["order"] == same[1]["order"] and other["order"] != same[0]["order"],
           f"make_train_loader() gave the first-epoch orders {same[0]['order']} and {same[1]['order']} for one "
           f"seed and {other['order']} for another: expected the seed alone to fix the order (pass a seeded "
           "torch.Generator to the DataLoader)")


@pytest.mark.points(3)
def test_train_epochs_trains_in_every_epoch(observed):
    """train_epochs goes over the whole loader in every epoch, not only the first."""
    record = observed.scenario("train_epochs", "train_epochs")
    epochs = INPUTS["epochs"]
    steps = count(record["events"], "step")
    drained = (": loop over the loader itself in each epoch (for xb, yb in loader); an iterator made once with "
               "iter(loader) is empty after the first epoch") if steps == _BATCHES < epochs * _BATCHES else \
        ": one step per batch, every batch of every epoch"
    expect(steps == epochs * _BATCHES,
           f"train_epochs() took {steps} optimizer steps over {epochs} epochs, expected {epochs * _BATCHES} "
           f"({_BATCHES} batches per epoch){drained}")
    problems = order_problems(record["events"], Position(_BATCHES))
    expect(not problems, f"train_epochs(): {problems[0]}" if problems else "")
    expect_train_mode(record["events"], "train_epochs()")
    losses = losses_of(record, "train_epochs", epochs)
    _expect_replayed(observed, "train_epochs", losses, INPUTS["batch_size"],
                     f"every epoch goes over all {INPUTS['n']} samples")


@pytest.mark.points(3)
def test_regression_loss_matches_mse(observed):
    """regression_loss of predictions [N, 1] against targets [N] is their mean squared error."""
    record = observed.scenario("regression_loss", "regression_loss")
    expect(record["shape"] == [], f"regression_loss() returned a {record['type']} of shape {record['shape']}, "
                                  "expected a 0-dim tensor")
    expect(record["requires_grad"], "regression_loss() returned a loss that does not require grad: compute it "
                                    "with tensor operations on the prediction, so that backward() reaches the model")
    prediction, target = loss_pair(INPUTS)
    want = ((prediction.flatten() - target) ** 2).mean().item()
    broadcast = ((prediction - target) ** 2).mean().item()
    got = observed.tensor("regression_loss").item()
    n = INPUTS["n"]
    if abs(got - broadcast) < 1e-5:
        why = (f" (the mean over all [{n}, {n}] pairs): [N, 1] minus [N] broadcasts to [N, N]; reshape the "
               "prediction to the target's shape")
    elif abs(got - want / 2) < 1e-5:
        why = " (half of it: the loss is the plain mean of the squared errors, not divided by 2)"
    else:
        why = ": the loss is the mean, over the N pairs, of (prediction - target) ** 2"
    expect(abs(got - want) < 1e-5,
           f"regression_loss(predictions [{n}, 1], targets [{n}]) is {got:.5f}, {abs(got - want):.0e} away from "
           f"the mean squared error of the {n} pairs{why}")


@pytest.mark.points(3)
def test_collect_losses_returns_sample_averaged_floats(observed):
    """collect_losses trains in train mode and returns one float per epoch: the loss averaged over the epoch's samples."""
    record = observed.scenario("collect_losses", "collect_losses")
    losses = losses_of(record, "collect_losses", INPUTS["epochs"])
    expect_train_mode(record["events"], "collect_losses()")
    averaging = (f"the mean over all {INPUTS['n']} samples, each batch's loss counted len(batch) times "
                 f"(the last batch holds {INPUTS['n'] % INPUTS['batch_size']})")
    _expect_replayed(observed, "collect_losses", losses, INPUTS["batch_size"], averaging, loss_hint=averaging)
