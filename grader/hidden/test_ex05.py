"""Hidden checks for exercise 5, the best checkpoint, where validation loss falls until epoch 4 of 8
and rises afterwards (training aims at a plane twice as steep as the validation plane)."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from grader.harness import datasets
from grader.judging import expect

EXERCISE = "ex05"
INPUTS = {
    "seed": 61,
    "train": {"n": 22, "batch_size": 6, "weights": [2.0, -1.0], "bias": 0.5, "seed": 51},  # 6, 6, 6, 4
    "val": {"n": 9, "batch_size": 4, "weights": [1.0, -0.5], "bias": 0.25, "seed": 52},  # 4, 4, 1
    "scenarios": {
        "overshoot": {"model": "zeros", "optimizer": "SGD", "lr": 0.015, "epochs": 8, "starts_in_eval": False},
        "dropout": {"model": "dropout", "optimizer": "Adam", "lr": 0.01, "epochs": 3, "starts_in_eval": True},
        "lr0": {"model": "linear", "optimizer": "SGD", "lr": 0.0, "epochs": 2, "starts_in_eval": False},
    },
}
TRAIN, VAL, SCENARIOS = INPUTS["train"], INPUTS["val"], INPUTS["scenarios"]
TRAIN_BATCHES = math.ceil(TRAIN["n"] / TRAIN["batch_size"])
VAL_BATCHES = math.ceil(VAL["n"] / VAL["batch_size"])


def _data(part: dict) -> tuple[torch.Tensor, torch.Tensor]:
    return datasets.plane(part["n"], tuple(part["weights"]), part["bias"], seed=part["seed"])


def _sample_mean(model: nn.Module, part: dict) -> float:
    """The loss over every sample of one part, as one mean (equal to the sample-weighted batch means)."""
    x, y = _data(part)
    with torch.no_grad():
        return nn.MSELoss()(model(x), y).item()


def _replay() -> tuple[list[torch.Tensor], list[float]]:
    """The grader's own overshoot run: the weights and the validation loss after every epoch."""
    model = nn.Linear(2, 1)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=SCENARIOS["overshoot"]["lr"])
    x, y = _data(TRAIN)
    size = TRAIN["batch_size"]
    weights, val_losses = [], []
    for _ in range(SCENARIOS["overshoot"]["epochs"]):
        for start in range(0, TRAIN["n"], size):
            optimizer.zero_grad()
            nn.MSELoss()(model(x[start:start + size]), y[start:start + size]).backward()
            optimizer.step()
        weights.append(_flat(dict(model.named_parameters())))
        val_losses.append(_sample_mean(model, VAL))
    return weights, val_losses


def _flat(state: dict) -> torch.Tensor:
    return torch.cat([state["weight"].detach().flatten(), state["bias"].detach().flatten()])


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


def _split(observed, name: str) -> list[tuple[list[dict], list[dict]]]:
    """The forward passes of each epoch: (training ones, validation ones), by their position."""
    events = observed.scenario(name, "train_with_best_checkpoint")["events"]
    forwards = [event for event in events if event["kind"] == "forward"]
    epochs, per_epoch = SCENARIOS[name]["epochs"], TRAIN_BATCHES + VAL_BATCHES
    expect(len(forwards) == epochs * per_epoch,
           f"{epochs} epochs made {len(forwards)} forward passes, expected {epochs * per_epoch}: per epoch "
           f"{TRAIN_BATCHES} training batches, then {VAL_BATCHES} validation batches")
    epochs_forwards = [forwards[i:i + per_epoch] for i in range(0, len(forwards), per_epoch)]
    return [(chunk[:TRAIN_BATCHES], chunk[TRAIN_BATCHES:]) for chunk in epochs_forwards]


@pytest.mark.points(3)
def test_returns_the_losses_and_the_best_epoch(observed):
    """Float losses for every epoch, the best epoch (1-based) and its validation loss."""
    result = _result(observed, "overshoot")
    epochs = SCENARIOS["overshoot"]["epochs"]
    _losses(result, "train_losses", epochs)
    val_losses = _losses(result, "val_losses", epochs)
    expect(result["best_epoch_type"] == "int", f"best_epoch is a {result['best_epoch_type']}, expected an int")
    expect(result["best_val_loss"] is not None,
           f"best_val_loss is a {result['best_val_loss_type']}, expected a Python float: use loss.item()")
    want = 1 + val_losses.index(min(val_losses))
    expect(result["best_epoch"] == want,
           f"best_epoch is {result['best_epoch']}, expected {want}: the 1-based epoch of the lowest validation loss "
           f"among {[round(v, 4) for v in val_losses]}")
    expect(abs(result["best_val_loss"] - min(val_losses)) < 1e-9,
           f"best_val_loss is {result['best_val_loss']:.6f}, expected the lowest validation loss {min(val_losses):.6f}")


@pytest.mark.points(4)
def test_restores_the_best_weights_not_the_last(observed):
    """The returned model holds a real copy of the best epoch's weights."""
    observed.scenario("overshoot", "train_with_best_checkpoint")
    state = observed.state("overshoot")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the model's weights after training")
    weights, val_losses = _replay()
    best = min(range(len(val_losses)), key=val_losses.__getitem__)
    got = _flat(state)
    if torch.allclose(got, weights[best], atol=1e-5):
        return
    matches = [epoch for epoch, w in enumerate(weights, 1) if torch.allclose(got, w, atol=1e-5)]
    now = _sample_mean(_linear(got), VAL)
    where = f"the weights of epoch {matches[0]}" if matches else "weights of none of the epochs"
    expect(False, f"the returned model holds {where} (validation loss {now:.4f}), expected those of the best "
           f"epoch {best + 1} (validation loss {val_losses[best]:.4f}): keep a real copy, "
           "copy.deepcopy(model.state_dict()) (state_dict() alone keeps pointing at the live parameters), "
           "and load it back with model.load_state_dict() after the last epoch")


def _linear(flat: torch.Tensor) -> nn.Linear:
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(flat[:2].reshape(1, 2))
        model.bias.copy_(flat[2:])
    return model


@pytest.mark.points(3)
def test_validates_in_eval_mode_without_gradients(observed):
    """Every validation forward runs in eval mode under torch.no_grad()."""
    for epoch, (_, validating) in enumerate(_split(observed, "dropout"), 1):
        in_train = sum(event["training"] for event in validating)
        with_grad = sum(event["grad"] for event in validating)
        expect(in_train == 0, f"in epoch {epoch}, {in_train} of {VAL_BATCHES} validation forward passes ran in train "
               "mode, so Dropout was still dropping: call model.eval() before validating")
        expect(with_grad == 0, f"in epoch {epoch}, {with_grad} of {VAL_BATCHES} validation forward passes tracked "
               "gradients: validate under torch.no_grad()")


@pytest.mark.points(3)
def test_trains_in_train_mode_every_epoch(observed):
    """Every training forward runs in train mode with gradients, epoch after epoch."""
    for epoch, (training, _) in enumerate(_split(observed, "dropout"), 1):
        in_eval = sum(not event["training"] for event in training)
        without_grad = sum(not event["grad"] for event in training)
        expect(in_eval == 0, f"in epoch {epoch}, {in_eval} of {TRAIN_BATCHES} training forward passes ran in eval "
               "mode (after the previous validation, or as the model came): call model.train() at the start of "
               "every epoch's training")
        expect(without_grad == 0, f"in epoch {epoch}, {without_grad} of {TRAIN_BATCHES} training forward passes "
               "tracked no gradients: keep torch.no_grad() for validation only")


@pytest.mark.points(3)
def test_losses_are_averaged_by_sample_count(observed):
    """With lr=0, every train and validation loss is the exact mean over samples."""
    result = _result(observed, "lr0")
    model = datasets.seeded_linear(2, 1, INPUTS["seed"])
    for key, part, batches in (("train_losses", TRAIN, "6, 6, 6 and 4"), ("val_losses", VAL, "4, 4 and 1")):
        losses = _losses(result, key, SCENARIOS["lr0"]["epochs"])
        want = _sample_mean(model, part)
        worst = max(losses, key=lambda loss: abs(loss - want))
        expect(abs(worst - want) < 1e-5,
               f"with lr=0 an epoch's {key[:-7]} loss was {worst:.5f}, expected {want:.5f}, the mean over the "
               f"{part['n']} samples in batches of {batches} (not the mean of the batch means): add "
               "loss.item() * len(x) per batch and divide by the number of samples")
