"""Hidden checks for exercise 5, the best checkpoint, where validation loss falls until an epoch in
the middle and rises afterwards (training aims at a plane twice as steep as the validation plane).

Why these checks cannot be passed without the work: every grading draws its own planes, sample
counts, batch sizes, start weights, learning rates and epoch counts (``draw``), and keeps a draw
only when the grader's own replay puts the best validation epoch strictly between the first and
the last, and when the mean of the batch means differs clearly from the sample mean. The best
epoch is judged against the learner's own validation losses, the restored weights against the
replay's weights of the best epoch, the modes against the loader each forward was reading from,
and the lr=0 losses against the mean over this grading's samples; no message prints a value that
the learner's code did not produce itself.
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

EXERCISE = "ex05"


def draw(rng: random.Random) -> dict:
    """Planes with weights 1-2.5 either way, 17-40 training and 7-20 validation samples, each with a
    short last batch, 6-10 epochs at an lr that crosses the validation plane mid-run."""
    for _ in range(1000):
        inputs = _draw_once(rng)
        if _keeps_its_meaning(inputs):
            return inputs
    raise RuntimeError("ex05: no draw kept the best validation epoch inside the run")


def _draw_once(rng: random.Random) -> dict:
    weights = [round(rng.choice((-1, 1)) * rng.uniform(1.0, 2.5), 3) for _ in range(2)]
    bias = round(rng.uniform(-1.0, 1.0), 3)
    train, val = _part(rng, 17, 40, 4, 8), _part(rng, 7, 20, 3, 6)
    train.update(weights=weights, bias=bias)
    val.update(weights=[w / 2 for w in weights], bias=bias / 2)
    epochs = rng.randrange(6, 11)
    steps = epochs * math.ceil(train["n"] / train["batch_size"])
    return {"seed": seed_in(rng), "train": train, "val": val, "scenarios": {
        "overshoot": {"model": "zeros", "optimizer": "SGD", "lr": float(f"{rng.uniform(0.4, 1.0) / steps:.3g}"),
                      "epochs": epochs, "starts_in_eval": False},
        "dropout": {"model": "dropout", "optimizer": "Adam", "lr": rng.choice((0.005, 0.01, 0.02)),
                    "epochs": rng.randrange(2, 5), "starts_in_eval": True},
        "lr0": {"model": "linear", "optimizer": "SGD", "lr": 0.0, "epochs": rng.randrange(2, 4),
                "starts_in_eval": False}}}


def _part(rng: random.Random, low: int, high: int, smallest: int, largest: int) -> dict:
    """A sample count and a batch size that leave a short last batch."""
    size = rng.randrange(smallest, largest + 1)
    n = rng.randrange(low, high + 1)
    while n % size == 0:
        n = rng.randrange(low, high + 1)
    return {"n": n, "batch_size": size, "seed": seed_in(rng)}


def _keeps_its_meaning(inputs: dict) -> bool:
    """The best epoch lies strictly inside the run, clearly lowest, and batch means mislead."""
    _, val_losses = _replay(inputs)
    ranked = sorted(val_losses)
    best = val_losses.index(ranked[0])
    start = datasets.seeded_linear(2, 1, inputs["seed"])
    misleading = all(abs(_batch_means(start, inputs[part]) - _sample_mean(start, inputs[part])) > 1e-3
                     for part in ("train", "val"))
    return 0 < best < len(val_losses) - 1 and ranked[1] - ranked[0] > 1e-4 and misleading


def _data(part: dict) -> tuple[torch.Tensor, torch.Tensor]:
    return datasets.plane(part["n"], tuple(part["weights"]), part["bias"], seed=part["seed"])


def _sample_mean(model: nn.Module, part: dict) -> float:
    """The loss over every sample of one part, as one mean (equal to the sample-weighted batch means)."""
    x, y = _data(part)
    with torch.no_grad():
        return nn.MSELoss()(model(x), y).item()


def _batch_means(model: nn.Module, part: dict) -> float:
    """The mistaken average: the mean of the batch means, the short last batch counted like a full one."""
    x, y = _data(part)
    size = part["batch_size"]
    with torch.no_grad():
        means = [nn.MSELoss()(model(x[i:i + size]), y[i:i + size]).item() for i in range(0, part["n"], size)]
    return sum(means) / len(means)


def _replay(inputs: dict) -> tuple[list[torch.Tensor], list[float]]:
    """The grader's own overshoot run: the weights and the validation loss after every epoch."""
    model = nn.Linear(2, 1)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    spec, train = inputs["scenarios"]["overshoot"], inputs["train"]
    optimizer = torch.optim.SGD(model.parameters(), lr=spec["lr"])
    batches = replay.batches_of(*_data(train), train["batch_size"])
    weights, val_losses = [], []
    for _ in range(spec["epochs"]):
        replay.train_epochs(model, nn.MSELoss(), optimizer, batches, epochs=1)
        weights.append(_flat(dict(model.named_parameters())))
        val_losses.append(_sample_mean(model, inputs["val"]))
    return weights, val_losses


def _flat(state: dict) -> torch.Tensor:
    return torch.cat([state["weight"].detach().flatten(), state["bias"].detach().flatten()])


INPUTS = inputs_for(EXERCISE, draw)
ALSO_RUN_ON = ("meta",)  # the device checks run the child on meta too: started ahead with the rest
TRAIN, VAL, SCENARIOS = INPUTS["train"], INPUTS["val"], INPUTS["scenarios"]
TRAIN_BATCHES = math.ceil(TRAIN["n"] / TRAIN["batch_size"])
VAL_BATCHES = math.ceil(VAL["n"] / VAL["batch_size"])


def _result(observed, name: str) -> dict:
    result = observed.scenario(name, "train_with_best_checkpoint")["result"]
    expect(result["type"] == "dict", f"train_with_best_checkpoint() returned a {result['type']}, expected a dict")
    missing = sorted({"best_val_loss", "best_epoch", "train_losses", "val_losses"} - set(result["keys"]))
    expect(not missing, f"the returned dict has the keys {result['keys']}, it misses {missing}")
    return result


def _losses(result: dict, key: str, epochs: int) -> list[float]:
    described = result[key]
    kinds = ", ".join(described.get("element_types") or [described["type"]])
    expect(described.get("values") is not None, f'result["{key}"] holds {kinds}, expected a list of Python '
           "floats: store loss.item() sums divided by the sample count, not loss tensors")
    found = described["values"]
    expect(len(found) == epochs, f'result["{key}"] has {len(found)} losses for {epochs} epochs, expected {epochs}')
    return found


def _phases(observed, name: str) -> list[tuple[int, str, list[dict]]]:
    """The forward passes grouped into phases: (epoch, "train" or "val", the forwards), in order.

    A phase is a run of forwards on batches of one loader; each training phase starts a new epoch,
    and a validation phase belongs to the epoch it follows (epoch 0: before any training).
    """
    forwards = observed.scenario(name, "train_with_best_checkpoint")["forwards"]
    phases: list[tuple[int, str, list[dict]]] = []
    epoch = 0
    for forward in (f for f in forwards if f["phase"] is not None):
        if not phases or phases[-1][1] != forward["phase"]:
            epoch += forward["phase"] == "train"
            phases.append((epoch, forward["phase"], []))
        phases[-1][2].append(forward)
    epochs = SCENARIOS[name]["epochs"]
    trained = sum(1 for phase in phases if phase[1] == "train")
    validated = sum(1 for phase in phases if phase[1] == "val" and phase[0] > 0)
    expect(trained == epochs and validated >= epochs,
           f"{epochs} epochs made {trained} training passes and {validated} validation passes after training: "
           "per epoch, one pass over the training loader, then one over the validation loader")
    return phases


@pytest.mark.points(3)
def test_returns_the_losses_and_the_best_epoch(observed):
    """Float losses for every epoch, the best epoch (1-based) and its validation loss."""
    result = _result(observed, "overshoot")
    epochs = SCENARIOS["overshoot"]["epochs"]
    _losses(result, "train_losses", epochs)
    val_losses = _losses(result, "val_losses", epochs)
    expect(result["best_epoch_type"] == "int", f"best_epoch is a {result['best_epoch_type']}, expected an int")
    expect(result["best_val_loss"] is not None or result["best_val_loss_type"] != "float",
           "best_val_loss is not a finite number (still float('inf')?): it was never updated, so no epoch "
           "was kept as the best; compare each epoch's validation loss with the best so far")
    expect(result["best_val_loss"] is not None,
           f"best_val_loss is a {result['best_val_loss_type']}, expected a Python float: use loss.item()")
    lowest = 1 + val_losses.index(min(val_losses))
    got = result["best_epoch"]
    relation = {lowest - 1: "one less than (counted from 0?)", lowest + 1: "one more than"}.get(got, "not")
    expect(got == lowest,
           f"best_epoch is {got}, {relation} the 1-based epoch of the lowest loss in the returned "
           f"val_losses ({epochs} epochs): epochs count from 1, epoch k's loss is val_losses[k - 1]")
    gap = abs(result["best_val_loss"] - min(val_losses))
    expect(gap < 1e-9, f"best_val_loss is {result['best_val_loss']:.6f}, {gap:.6f} away from the lowest loss in "
           "the returned val_losses: keep the validation loss of the best epoch")
    tied = _result(observed, "lr0")
    epochs = SCENARIOS["lr0"]["epochs"]
    expect(type(tied["best_epoch"]) is int and 1 <= tied["best_epoch"] <= epochs,
           f"with lr=0 every epoch's validation loss is the same, and best_epoch is {tied['best_epoch']}: on a "
           f"tie any of the tied epochs may be the best, counted from 1 to {epochs}")


@pytest.mark.points(4)
def test_restores_the_best_weights_not_the_last(observed):
    """The returned model holds a real copy of the best epoch's weights."""
    observed.scenario("overshoot", "train_with_best_checkpoint")
    state = observed.state("overshoot")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the model's weights after training")
    weights, val_losses = _replay(INPUTS)
    best = min(range(len(val_losses)), key=val_losses.__getitem__)
    got = _flat(state)
    if torch.allclose(got, weights[best], atol=1e-5):
        return
    matches = [epoch for epoch, w in enumerate(weights, 1) if torch.allclose(got, w, atol=1e-5)]
    above = _sample_mean(_linear(got), VAL) - val_losses[best]
    last = len(weights)
    where = ("the weights of the last epoch" if matches == [last] else
             f"the weights of epoch {matches[0]} of {last}" if matches else "weights of none of the epochs")
    expect(False, f"the returned model holds {where}, whose validation loss is {above:.4f} above that of the "
           "best epoch: keep a real copy, copy.deepcopy(model.state_dict()) (state_dict() alone keeps pointing "
           "at the live parameters), and load it back with model.load_state_dict() after the last epoch")


def _linear(flat: torch.Tensor) -> nn.Linear:
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(flat[:2].reshape(1, 2))
        model.bias.copy_(flat[2:])
    return model


@pytest.mark.points(3)
def test_validates_in_eval_mode_without_gradients(observed):
    """Every validation forward runs in eval mode under torch.no_grad()."""
    for epoch, _, validating in (p for p in _phases(observed, "dropout") if p[1] == "val"):
        when = f"in epoch {epoch}" if epoch else "before training"
        in_train = sum(event["training"] for event in validating)
        with_grad = sum(event["grad"] for event in validating)
        expect(in_train == 0, f"{when}, {in_train} of {len(validating)} validation forward passes ran in train "
               "mode, so Dropout was still dropping: call model.eval() before validating")
        expect(with_grad == 0, f"{when}, {with_grad} of {len(validating)} validation forward passes tracked "
               "gradients: validate under torch.no_grad()")


@pytest.mark.points(3)
def test_trains_in_train_mode_every_epoch(observed):
    """Every training forward runs in train mode with gradients, epoch after epoch."""
    for epoch, _, training in (p for p in _phases(observed, "dropout") if p[1] == "train"):
        in_eval = sum(not event["training"] for event in training)
        without_grad = sum(not event["grad"] for event in training)
        expect(in_eval == 0, f"in epoch {epoch}, {in_eval} of {len(training)} training forward passes ran in eval "
               "mode (after the previous validation, or as the model came): call model.train() at the start of "
               "every epoch's training")
        expect(without_grad == 0, f"in epoch {epoch}, {without_grad} of {len(training)} training forward passes "
               "tracked no gradients: keep torch.no_grad() for validation only")


def _batches(part: dict) -> str:
    """The batch sizes of one part, e.g. "6, 6, 6 and 4"."""
    size, n = part["batch_size"], part["n"]
    sizes = [str(min(size, n - start)) for start in range(0, n, size)]
    return f"{', '.join(sizes[:-1])} and {sizes[-1]}"


@pytest.mark.points(3)
def test_losses_are_averaged_by_sample_count(observed):
    """With lr=0, every train and validation loss is the exact mean over samples."""
    result = _result(observed, "lr0")
    model = datasets.seeded_linear(2, 1, INPUTS["seed"])
    for key, part in (("train_losses", TRAIN), ("val_losses", VAL)):
        losses = _losses(result, key, SCENARIOS["lr0"]["epochs"])
        want = _sample_mean(model, part)
        worst = max(losses, key=lambda loss: abs(loss - want))
        what = " (that is the mean of the batch means)" if abs(worst - _batch_means(model, part)) < 1e-5 else ""
        expect(abs(worst - want) < 1e-5,
               f"with lr=0 an epoch's {key[:-7]} loss was {worst:.5f}{what}, {abs(worst - want):.5f} away from "
               f"the mean over the {part['n']} samples in batches of {_batches(part)}: add "
               "loss.item() * len(x) per batch and divide by the number of samples")


@pytest.mark.points(1)
def test_train_with_best_checkpoint_uses_the_device(request):
    """With device="meta", train_with_best_checkpoint moves the model and every batch there."""
    record = observe(request.config, EXERCISE, INPUTS, device="meta").scenario(
        "train_on_meta", "train_with_best_checkpoint")
    expect_moved_to_meta(record, "train_with_best_checkpoint(..., device=meta)")
