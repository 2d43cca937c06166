"""Hidden checks for exercise 1, the loop by hand, on a line and a batch size the learner never saw."""
from __future__ import annotations

import random

import numpy as np
import pytest

from grader.judging import expect, near

EXERCISE = "ex01"
SLOPE, INTERCEPT = -0.8, 1.3
FUNCTIONS = ("fit_python", "fit_numpy")


def _line(n: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    xs = [rng.uniform(-1.5, 1.5) for _ in range(n)]
    return xs, [SLOPE * x + INTERCEPT + 0.1 * rng.gauss(0.0, 1.0) for x in xs]


INPUTS = {
    # 93 samples in batches of 10: the last batch holds 3
    "line": dict(zip(("xs", "ys"), _line(93, 23)),
                 kwargs={"lr": 0.1, "epochs": 40, "batch_size": 10, "seed": 5}),
    # with lr=0 the weights stay 0, so every epoch's loss is mean(y**2) in any order
    "lr0": {"xs": [0.5] * 13, "ys": [1.0] * 10 + [3.0, 5.0, 9.0],
            "kwargs": {"lr": 0.0, "epochs": 2, "batch_size": 5, "seed": 1}},
}


def _fit(observed, function: str, case: str) -> dict:
    record = observed.scenario(f"{function}_{case}", function)
    expect(record["returned"] == "triple",
           f"{function}() returned a {record['returned']}, expected a tuple (w, b, losses)")
    return record


def _numbers(record: dict, function: str) -> list[float]:
    found = record["loss_numbers"]
    expect(found is not None, f"{function}() returned losses of type "
           f"{', '.join(record['losses'].get('element_types', [record['losses']['type']]))}, expected numbers")
    return found


def _orders(function: str, n: int, epochs: int, seed: int, fresh: bool) -> list[list[int]]:
    """Each epoch's order as the exercise states it (a fresh shuffle, or the last order reshuffled)."""
    if function == "fit_numpy":
        generator = np.random.default_rng(seed)
        shuffled = lambda order: generator.permutation(order).tolist()  # noqa: E731
    else:
        rng = random.Random(seed)

        def shuffled(order: list[int]) -> list[int]:
            order = list(order)
            rng.shuffle(order)
            return order
    order, orders = list(range(n)), []
    for _ in range(epochs):
        order = shuffled(list(range(n)) if fresh else order)
        orders.append(order)
    return orders


def _replay(xs, ys, orders, lr: float, batch_size: int) -> tuple[float, float, list[float]]:
    """The grader's own minibatch gradient descent: (w, b, epoch losses)."""
    w = b = 0.0
    losses = []
    for order in orders:
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            errors = [w * xs[i] + b - ys[i] for i in batch]
            total += sum(e * e for e in errors)
            w -= lr * 2 / len(batch) * sum(e * xs[i] for e, i in zip(errors, batch))
            b -= lr * 2 / len(batch) * sum(errors)
        losses.append(total / len(order))
    return w, b, losses


def _show(value) -> str:
    """Numbers to 6 decimals (None stays None), for messages."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return "None" if value is None else f"{value:.6f}"


def _expect_line(observed, function: str) -> None:
    record = _fit(observed, function, "line")
    w, b = record["w"], record["b"]
    expect(w is not None and b is not None,
           f"{function}() returned w of type {record['w_type']} and b of type {record['b_type']}, expected numbers")
    expect(near(w, SLOPE, 0.1) and near(b, INTERCEPT, 0.1),
           f"{function}() on 93 samples of y = {SLOPE}*x + {INTERCEPT} returned w={w:.3f}, b={b:.3f}, expected "
           f"w={SLOPE} +/- 0.1 and b={INTERCEPT} +/- 0.1: compute w and b from the data you are given")


@pytest.mark.points(3)
def test_fit_python_learns_the_hidden_line(observed):
    """fit_python recovers the slope and intercept of a line it never saw."""
    _expect_line(observed, "fit_python")


@pytest.mark.points(3)
def test_fit_numpy_learns_the_hidden_line(observed):
    """fit_numpy recovers the slope and intercept of a line it never saw."""
    _expect_line(observed, "fit_numpy")


@pytest.mark.points(2)
def test_returns_floats_and_falling_losses(observed):
    """Both return Python floats, one loss per epoch, and the losses fall."""
    epochs = INPUTS["line"]["kwargs"]["epochs"]
    for function in FUNCTIONS:
        record = _fit(observed, function, "line")
        described = record["losses"]
        kinds = sorted({record["w_type"], record["b_type"], *described.get("element_types", [described["type"]])})
        expect(kinds == ["float"], f"{function}() returned values of type {', '.join(kinds)}, expected only "
               "Python float: convert with float(...)")
        losses = described["values"]
        expect(losses is not None, f"{function}() returned a loss that is not a finite number (nan or inf)")
        expect(len(losses) == epochs,
               f"{function}() returned {len(losses)} losses for {epochs} epochs, expected {epochs}")
        expect(losses[-1] < losses[0],
               f"{function}() losses went from {losses[0]:.4f} to {losses[-1]:.4f}: they should fall")


@pytest.mark.points(3)
def test_epoch_loss_is_averaged_by_sample_count(observed):
    """An epoch's loss is the sum of squared errors over the number of samples."""
    ys = INPUTS["lr0"]["ys"]
    want = sum(y * y for y in ys) / len(ys)
    batches = [ys[start:start + 5] for start in range(0, len(ys), 5)]
    batch_means = sum(sum(y * y for y in batch) / len(batch) for batch in batches) / len(batches)
    for function in FUNCTIONS:
        losses = _numbers(_fit(observed, function, "lr0"), function)
        worst = max(losses, key=lambda loss: abs(loss - want), default=None)
        expect(worst is not None and near(worst, want, 1e-9),
               f"{function}() with lr=0 on 13 samples in batches of 5, 5 and 3 gave an epoch loss of {_show(worst)}, "
               f"expected {want:.4f}, the squared errors summed over all 13 samples / 13 (the mean of the 3 batch "
               f"means is another number, {batch_means:.4f} for the unshuffled order)")


@pytest.mark.points(3)
def test_matches_minibatch_gradient_descent(observed):
    """w, b and losses equal the grader's own minibatch run (short last batch included)."""
    given, kwargs = INPUTS["line"], INPUTS["line"]["kwargs"]
    call = "(lr=0.1, epochs=40, batch_size=10, seed=5) on 93 samples"
    for function in FUNCTIONS:
        record = _fit(observed, function, "line")
        got_losses = _numbers(record, function)
        replays = [_replay(given["xs"], given["ys"],
                           _orders(function, len(given["xs"]), kwargs["epochs"], kwargs["seed"], fresh),
                           kwargs["lr"], kwargs["batch_size"]) for fresh in (True, False)]
        got = [record["w"], record["b"]]
        same = [(w, b, losses) for w, b, losses in replays
                if None not in got and np.allclose(got, [w, b], atol=1e-9)]
        w, b, losses = (same or replays)[0]
        expect(bool(same), f"{function}{call} returned w={_show(got[0])}, b={_show(got[1])}; the grader's "
               f"run from w = b = 0 gives w={w:.6f}, b={b:.6f}: one step per batch of 10 (the short last batch of 3 "
               "too), gradients 2/m * sum(e*x) and 2/m * sum(e), the order drawn from the generator the exercise names")
        expect(len(got_losses) == len(losses) and np.allclose(got_losses, losses, rtol=1e-9, atol=1e-12),
               f"{function}{call} returned the right w and b but the epoch losses {_show(got_losses[:3])}..., expected "
               f"{_show(losses[:3])}...: each epoch's loss is the sum of every sample's squared error, taken before "
               "its batch's update, divided by the 93 samples")


@pytest.mark.points(2)
def test_uses_no_torch(observed):
    """The loop is written by hand: no torch, no autograd."""
    names = observed.scenario("imports", "import")["torch_names"]
    expect(not names, f"your module uses PyTorch ({', '.join(names)}): exercise 1 computes the gradients by "
           "hand, in plain Python and NumPy")
    for function in FUNCTIONS:
        called = observed.scenario(f"{function}_line", function)["torch_calls"]
        expect(not called, f"{function}() called PyTorch ({', '.join(called[:3])}): exercise 1 computes dw "
               "and db by hand, in plain Python and NumPy")
