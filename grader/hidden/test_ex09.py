"""Hidden checks for exercise 9, fix the loop: each repaired function is judged by what it does.

The shipped stub keeps one classic bug per function, so it must fail every check here.
"""
from __future__ import annotations

import math

import pytest
from torch import nn

from grader import replay
from grader.harness.probes.ex09 import regression, start
from grader.judging import expect, expect_epoch_losses, losses_of
from grader.loop_order import Position, count, order_problems

EXERCISE = "ex09"
INPUTS = {"n": 23, "batch_size": 5, "epochs": 4, "lr": 0.05, "seed": 47}
_BATCHES = math.ceil(INPUTS["n"] / INPUTS["batch_size"])


def _replay(batch_size: int) -> tuple[list[float], nn.Module]:
    """The parent's own correct loop: per-sample mean loss per epoch and the final model."""
    x, y = regression(INPUTS)
    model, optimizer = start(INPUTS)
    batches = replay.batches_of(x, y, batch_size)
    return replay.train_epochs(model, nn.MSELoss(), optimizer, batches, INPUTS["epochs"]), model


def _expect_replayed(observed, name: str, losses: list[float], batch_size: int, hint: str) -> None:
    want, reference = _replay(batch_size)
    expect_epoch_losses(losses, want, hint, f"{name}(): ")
    state = observed.state(name)
    expect(set(state) == {"weight", "bias"}, f"the grader could not read the weights after {name}()")
    gap = (state["weight"] - reference.weight.detach()).abs().max().item()
    expect(gap < 1e-5, f"after {name}() the weights differ by up to {gap:.2e} from the grader's own correct "
                       f"loop over the same {INPUTS['epochs']} epochs: {hint}")


@pytest.mark.points(3)
def test_train_full_batch_steps_after_backward(observed):
    """train_full_batch clears, backpropagates, then steps: plain gradient descent, one step per epoch."""
    record = observed.scenario("train_full_batch", "train_full_batch")
    epochs = INPUTS["epochs"]
    losses = losses_of(record, "train_full_batch", epochs)
    problems = order_problems(record["events"])
    expect(not problems, f"train_full_batch(): {problems[0]}" if problems else "")
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
           f"3 epochs of make_train_loader() served the same order {orders[0]}: expected a new order every epoch")
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
    expect(steps == epochs * _BATCHES,
           f"train_epochs() took {steps} optimizer steps over {epochs} epochs, expected {epochs * _BATCHES} "
           f"({_BATCHES} batches per epoch): loop over the loader itself in each epoch (for xb, yb in loader); "
           "an iterator made once with iter(loader) is empty after the first epoch")
    problems = order_problems(record["events"], Position(_BATCHES))
    expect(not problems, f"train_epochs(): {problems[0]}" if problems else "")
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
    x, y = regression(INPUTS)
    want = ((y.flatten() - (y.flatten() + 0.5 * x[:, 0])) ** 2).mean().item()
    got = observed.tensor("regression_loss").item()
    expect(abs(got - want) < 1e-5,
           f"regression_loss(predictions [{INPUTS['n']}, 1], targets [{INPUTS['n']}]) is {got:.5f}, expected "
           f"{want:.5f}: [N, 1] minus [N] broadcasts to [N, N]; reshape the prediction to the target's shape")


@pytest.mark.points(3)
def test_collect_losses_returns_sample_averaged_floats(observed):
    """collect_losses returns one float per epoch: the loss averaged over the epoch's samples."""
    record = observed.scenario("collect_losses", "collect_losses")
    losses = losses_of(record, "collect_losses", INPUTS["epochs"])
    _expect_replayed(observed, "collect_losses", losses, INPUTS["batch_size"],
                     f"the mean over all {INPUTS['n']} samples, each batch's loss counted len(batch) times "
                     f"(the last batch holds {INPUTS['n'] % INPUTS['batch_size']})")
