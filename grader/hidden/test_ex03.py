"""Hidden checks for exercise 3, minibatches and DataLoader, on sizes the learner never saw."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from grader import replay
from grader.harness import datasets
from grader.judging import expect, losses_of
from grader.loop_order import Position, count, order_problems

EXERCISE = "ex03"
INPUTS = {
    "loader": {"n": 23, "batch_size": 5, "seed": 13},  # batches 5, 5, 5, 5, 3
    "train": {"n": 37, "batch_size": 8, "weights": [0.7, -1.9], "bias": 0.4, "seed": 31,
              "lr": 0.05, "epochs": 4},  # batches 8, 8, 8, 8, 5
}
LOADER, TRAIN = INPUTS["loader"], INPUTS["train"]
BATCHES = math.ceil(TRAIN["n"] / TRAIN["batch_size"])


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    x, y = datasets.plane(TRAIN["n"], tuple(TRAIN["weights"]), TRAIN["bias"], seed=TRAIN["seed"])
    return replay.batches_of(x, y, TRAIN["batch_size"])


def _replay(lr: float) -> tuple[nn.Linear, list[float]]:
    """The grader's own run over the same unshuffled batches from the same start."""
    model = datasets.seeded_linear(2, 1, TRAIN["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = replay.train_epochs(model, nn.MSELoss(), optimizer, _batches(), TRAIN["epochs"])
    return model, losses


def _describe(order: list) -> str:
    """``[3, 17, 0, 9, 12, 5, ..., 8, 21] (23 samples)``."""
    shown = [str(i) for i in order] if len(order) <= 10 else [*map(str, order[:6]), "...", *map(str, order[-2:])]
    return f"[{', '.join(shown)}] ({len(order)} samples)"


@pytest.mark.points(3)
def test_make_loader_serves_every_sample_in_ceil_n_over_b_batches(observed):
    """make_loader serves every sample once, in ceil(N/B) batches with a short last one."""
    record = observed.scenario("make_loader", "make_loader")
    n, size = LOADER["n"], LOADER["batch_size"]
    want = [size] * (n // size) + [n % size]
    expect(record["length"] == len(want), f"make_loader({n} samples, batch_size={size}) has {record['length']} "
           f"batches, expected ceil({n}/{size}) = {len(want)}")
    expect(record["sizes"] == want,
           f"one pass gave batches of sizes {record['sizes']}, expected {want}: keep the short last batch")
    expect(None not in record["first"], "x and y no longer belong together in the batches: build the loader from "
           "TensorDataset(x, y) so each sample keeps its target")
    expect(sorted(record["first"]) == list(range(n)),
           f"one pass served the samples {_describe(sorted(record['first']))}, expected each of 0..{n - 1} once")


@pytest.mark.points(3)
def test_make_loader_shuffles_each_epoch_and_repeats_with_its_seed(observed):
    """A new order every epoch, and the same orders again from the same seed."""
    record = observed.scenario("make_loader", "make_loader")
    first, second, again = record["first"], record["second"], record["same_seed"]
    seed = LOADER["seed"]
    expect(first != list(range(LOADER["n"])),
           f"with shuffle=True the first epoch kept the order {_describe(first)}: pass shuffle to the DataLoader")
    expect(first != second, f"two epochs served the same order {_describe(first)}, expected a new order each epoch: "
           "let the DataLoader shuffle (shuffling the tensors once is not enough)")
    expect(again == first, f"a second loader with seed={seed} served {_describe(again)} first, expected the same "
           f"order as the first loader, {_describe(first)}: shuffle with torch.Generator().manual_seed(seed)")


@pytest.mark.points(2)
def test_make_loader_keeps_the_order_without_shuffle(observed):
    """With shuffle=False (validation loaders) the samples come in order."""
    record = observed.scenario("make_loader_unshuffled", "make_loader")
    n = LOADER["n"]
    expect(record["order"] == list(range(n)),
           f"make_loader(..., shuffle=False) served {_describe(record['order'])}, expected 0, 1, ..., {n - 1} in order")


@pytest.mark.points(3)
def test_train_epochs_takes_one_step_per_batch(observed):
    """train_epochs takes epochs x ceil(N/B) optimizer steps."""
    epochs = TRAIN["epochs"]
    want = epochs * BATCHES
    for name in ("train_epochs", "train_epochs_dropout"):
        steps = count(observed.scenario(name, "train_epochs")["events"], "step")
        expect(steps == want, f"optimizer.step() ran {steps} times for {epochs} epochs of {BATCHES} batches "
               f"({TRAIN['n']} samples in batches of {TRAIN['batch_size']}), expected {want}: one step per "
               "batch, the short last batch included")


@pytest.mark.points(3)
def test_train_epochs_call_order(observed):
    """Train mode, then zero_grad, backward and step in a working order for every batch."""
    for name in ("train_epochs", "train_epochs_dropout"):
        events = observed.scenario(name, "train_epochs")["events"]
        problems = order_problems(events, Position(BATCHES))
        expect(not problems, problems[0] if problems else "")
    events = observed.scenario("train_epochs_dropout", "train_epochs")["events"]
    forwards = [event for event in events if event["kind"] == "forward"]
    in_eval = sum(not event["training"] for event in forwards)
    expect(in_eval == 0, f"{in_eval} of {len(forwards)} training forward passes ran in eval mode (the model came in "
           "eval mode): call model.train() before training")


@pytest.mark.points(4)
def test_train_epochs_matches_the_graders_run(observed):
    """The weights after training equal the grader's own run over the same batches."""
    observed.scenario("train_epochs", "train_epochs")
    state = observed.state("train_epochs")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after train_epochs()")
    reference, _ = _replay(TRAIN["lr"])
    got = torch.cat([state["weight"].flatten(), state["bias"]])
    want = torch.cat([reference.weight.detach().flatten(), reference.bias.detach()])
    expect(torch.allclose(got, want, atol=1e-5),
           f"after {TRAIN['epochs']} epochs over {BATCHES} unshuffled batches (SGD, lr={TRAIN['lr']}) the weights are "
           f"{[round(v, 5) for v in got.tolist()]}, expected {[round(v, 5) for v in want.tolist()]} from the same "
           "start: one forward, loss, zero_grad, backward, step per batch, the short last batch included")


@pytest.mark.points(3)
def test_train_epochs_losses_averaged_by_sample_count(observed):
    """One float loss per epoch, the mean over samples (the short last batch weighs less)."""
    epochs = TRAIN["epochs"]
    losses = losses_of(observed.scenario("train_epochs_lr0", "train_epochs"), "train_epochs", epochs)
    _, want = _replay(0.0)
    batches = _batches()
    model = datasets.seeded_linear(2, 1, TRAIN["seed"])
    with torch.no_grad():
        batch_means = sum(nn.MSELoss()(model(x), y).item() for x, y in batches) / len(batches)
    worst = max(range(epochs), key=lambda i: abs(losses[i] - want[i]))
    expect(abs(losses[worst] - want[worst]) < 1e-5,
           f"with lr=0 epoch {worst + 1} has loss {losses[worst]:.5f}, expected {want[worst]:.5f}, the mean over "
           f"the {TRAIN['n']} samples (the mean of the {len(batches)} batch means is {batch_means:.5f}): add "
           "loss.item() * len(x) per batch and divide by the number of samples")
