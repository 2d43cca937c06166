"""Hidden checks for exercise 3, minibatches and DataLoader, on sizes the learner never saw.

Why these checks cannot be passed without the work: every grading draws its own sample counts and
batch sizes (never dividing evenly, so a short last batch always exists), loader seed, plane,
start weights, learning rate and epoch count (``draw``). The loader is read back through tagged
samples, so only a real shuffled, seeded ``DataLoader`` gives a new complete order per epoch that
repeats with the seed; the expected weights and losses come from the grader's own replay over the
same batches from the same start, and the lr=0 data are drawn again until the mean of the batch
means (and the mean without the short batch) clearly differ from the sample mean. The messages show
the learner's own numbers and how far they are off, never the grader's.
"""
from __future__ import annotations

import math
import random

import pytest
import torch
from torch import nn

from grader.grading import replay
from grader.harness import datasets
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_call_order, losses_of
from grader.grading.loop_order import Position, count

EXERCISE = "ex03"


def _uneven(rng: random.Random, counts: range, sizes: range) -> tuple[int, int]:
    """A sample count and a batch size that leave a short last batch (and at least 3 full ones)."""
    size = rng.choice(sizes)
    return rng.choice([n for n in counts if n % size and n // size >= 3]), size


def _draw_train(rng: random.Random) -> dict:
    """25-60 samples of a plane with weights 0.5-2 either way, batches of 4-12, lr 0.02-0.08, 3-6 epochs."""
    n, size = _uneven(rng, range(25, 61), range(4, 13))
    weights = [round(rng.choice((-1, 1)) * rng.uniform(0.5, 2.0), 4) for _ in range(2)]
    return {"n": n, "batch_size": size, "weights": weights, "bias": round(rng.uniform(-1.0, 1.0), 4),
            "seed": seed_in(rng), "lr": rng.choice((0.02, 0.03, 0.05, 0.08)), "epochs": rng.randrange(3, 7)}


def _start_means(train: dict) -> tuple[float, float, float]:
    """At the start: (sample mean, mean of batch means, mean over the full batches only)."""
    model = datasets.seeded_linear(2, 1, train["seed"])
    with torch.no_grad():
        pairs = [(nn.MSELoss()(model(x), y).item(), len(x)) for x, y in _batches_of(train)]
    full = [loss for loss, size in pairs if size == train["batch_size"]]
    sample_mean = sum(loss * size for loss, size in pairs) / train["n"]
    return sample_mean, sum(loss for loss, _ in pairs) / len(pairs), sum(full) / len(full)


def _tells_the_means_apart(train: dict) -> bool:
    sample_mean, batch_means, full_only = _start_means(train)
    return min(abs(batch_means - sample_mean), abs(full_only - sample_mean)) > 1e-3


def draw(rng: random.Random) -> dict:
    """A loader case and a training case whose averages differ clearly (drawn again until so)."""
    n, size = _uneven(rng, range(17, 41), range(3, 9))
    train = _draw_train(rng)
    while not _tells_the_means_apart(train):
        train = _draw_train(rng)
    return {"loader": {"n": n, "batch_size": size, "seed": seed_in(rng)}, "train": train}


def _batches_of(train: dict) -> list[tuple[torch.Tensor, torch.Tensor]]:
    x, y = datasets.plane(train["n"], tuple(train["weights"]), train["bias"], seed=train["seed"])
    return replay.batches_of(x, y, train["batch_size"])


INPUTS = inputs_for(EXERCISE, draw)
LOADER, TRAIN = INPUTS["loader"], INPUTS["train"]
BATCHES = math.ceil(TRAIN["n"] / TRAIN["batch_size"])


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    return _batches_of(TRAIN)


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


def _sizes(n: int, size: int) -> str:
    """``4 batches of 8 and a last one of 5``."""
    return f"{n // size} batches of {size} and a last one of {n % size}"


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
        skipped = " (one fewer per epoch: the short last batch was skipped)" if steps == want - epochs else ""
        expect(steps == want, f"optimizer.step() ran {steps} times for {epochs} epochs of {BATCHES} batches "
               f"({TRAIN['n']} samples in {_sizes(TRAIN['n'], TRAIN['batch_size'])}), expected {want}{skipped}: "
               "one step per batch, the short last batch included")


@pytest.mark.points(3)
def test_train_epochs_call_order(observed):
    """Train mode, then zero_grad, backward and step in a working order for every batch."""
    for name in ("train_epochs", "train_epochs_dropout"):
        events = observed.scenario(name, "train_epochs")["events"]
        expect_call_order(events, Position(BATCHES), weights_match=name == "train_epochs" and _matches_replay(observed))
    events = observed.scenario("train_epochs_dropout", "train_epochs")["events"]
    forwards = [event for event in events if event["kind"] == "forward"]
    in_eval = [i for i, event in enumerate(forwards) if not event["training"]]
    expect(not in_eval, f"{len(in_eval)} of {len(forwards)} training forward passes ran in eval mode, the first in "
           f"{Position(BATCHES).of(in_eval[0] + 1) if in_eval else ''} (this call handed train_epochs a model in eval "
           "mode, as after a validation pass): call model.train() at the start of each epoch's training")


def _against_replay(observed) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(the learner's weights, the grader's run's) after train_epochs, flat; None if unreadable."""
    state = observed.state("train_epochs")
    if set(state) != {"weight", "bias"}:
        return None
    reference, _ = _replay(TRAIN["lr"])
    return (torch.cat([state["weight"].flatten(), state["bias"]]),
            torch.cat([reference.weight.detach().flatten(), reference.bias.detach()]))


def _matches_replay(observed) -> bool:
    """The weights after train_epochs equal the grader's own run (the order of calls was right)."""
    pair = _against_replay(observed)
    return pair is not None and torch.allclose(*pair, atol=1e-6)


@pytest.mark.points(4)
def test_train_epochs_matches_the_graders_run(observed):
    """The weights after training equal the grader's own run over the same batches."""
    observed.scenario("train_epochs", "train_epochs")
    pair = _against_replay(observed)
    expect(pair is not None, "the grader could not read the weights after train_epochs()")
    got, want = pair
    expect(torch.allclose(got, want, atol=1e-5),
           f"after {TRAIN['epochs']} epochs over {BATCHES} unshuffled batches (SGD, lr={TRAIN['lr']}) the weights are "
           f"{[round(v, 5) for v in got.tolist()]}, up to {(got - want).abs().max().item():.2g} away from the "
           "grader's run from the same start: one forward, loss, zero_grad, backward, step per batch, the short "
           "last batch included")


@pytest.mark.points(3)
def test_train_epochs_losses_averaged_by_sample_count(observed):
    """One float loss per epoch, the mean over samples (the short last batch weighs less)."""
    epochs = TRAIN["epochs"]
    losses = losses_of(observed.scenario("train_epochs_lr0", "train_epochs"), "train_epochs", epochs)
    _, want = _replay(0.0)
    _, batch_means, full_only = _start_means(TRAIN)
    worst = max(range(epochs), key=lambda i: abs(losses[i] - want[i]))
    got = losses[worst]
    known = {"the mean of the batch means": batch_means, "the mean over the full batches only": full_only}
    what = next((f" (that is {name})" for name, value in known.items() if abs(got - value) < 1e-5), "")
    expect(abs(got - want[worst]) < 1e-5,
           f"with lr=0 epoch {worst + 1} has loss {got:.5f}{what}, {abs(got - want[worst]):.2g} off the mean over "
           f"the {TRAIN['n']} samples in {_sizes(TRAIN['n'], TRAIN['batch_size'])}: add loss.item() * len(x) per "
           "batch and divide by the number of samples")
    _expect_each_epoch_its_own(observed)


def _expect_each_epoch_its_own(observed) -> None:
    """With lr > 0 each epoch's loss is that epoch's own mean (the running total starts again)."""
    record = observed.scenario("train_epochs", "train_epochs")
    losses = losses_of(record, "train_epochs", TRAIN["epochs"])
    if not _matches_replay(observed):
        return  # the weights check names what went wrong; these losses would only repeat it
    _, want = _replay(TRAIN["lr"])
    running = [sum(want[:k + 1]) / (k + 1) for k in range(len(want))]
    for epoch, (got, expected) in enumerate(zip(losses, want), start=1):
        what = " (that is the mean of all epochs so far)" if abs(got - running[epoch - 1]) < 1e-5 else ""
        expect(abs(got - expected) < 1e-5,
               f"epoch {epoch} of train_epochs(lr={TRAIN['lr']}) has loss {got:.5f}{what}, "
               f"{abs(got - expected):.2g} off that epoch's own mean over its samples: start the running "
               "total and the sample count again at the top of every epoch")
