"""Hidden checks for exercise 1, the loop by hand, on a line and a batch size the learner never saw.

Why these checks cannot be passed without the work: every grading draws its own line, sample
count, batch size (never a divisor of the count, so a short last batch always exists), learning
rate, epoch count and shuffle seed, and a second small set of targets for the lr=0 run (``draw``).
The expected w, b and epoch losses come from the grader's own replay of the same minibatch steps
on the same data with the same generator, and the fitted line is judged against the least-squares
line of this grading's data; the messages show the learner's own numbers and how far they are off,
never the grader's, so nothing a failed grading prints helps the next one.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, near

EXERCISE = "ex01"
FUNCTIONS = ("fit_python", "fit_numpy")


def _line(n: int, slope: float, intercept: float, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    xs = [rng.uniform(-1.5, 1.5) for _ in range(n)]
    return xs, [slope * x + intercept + 0.1 * rng.gauss(0.0, 1.0) for x in xs]


def _draw_line(rng: random.Random) -> dict:
    """60-140 samples of a line with slope 0.5-2 either way, batches of 6-16 with a short last one."""
    batch_size = rng.randrange(6, 17)
    n = rng.choice([n for n in range(60, 141) if n % batch_size])
    slope = rng.choice((-1, 1)) * rng.uniform(0.5, 2.0)
    xs, ys = _line(n, slope, rng.uniform(-1.5, 1.5), seed_in(rng))
    kwargs = {"lr": rng.choice((0.05, 0.08, 0.1, 0.12, 0.15)), "epochs": rng.randrange(25, 51),
              "batch_size": batch_size, "seed": seed_in(rng)}
    return {"xs": xs, "ys": ys, "kwargs": kwargs}


def _draw_lr0(rng: random.Random) -> dict:
    """lr=0: the weights stay 0, so every epoch's loss is mean(y**2) whatever the order."""
    batch_size = rng.randrange(3, 7)
    n = rng.choice([n for n in range(2 * batch_size + 1, 4 * batch_size) if n % batch_size])
    xs = [round(rng.uniform(-1.0, 1.0), 3) for _ in range(n)]
    ys = [round(rng.uniform(-2.0, 2.0) + rng.choice((0.0, 0.0, 4.0, -4.0)), 3) for _ in range(n)]
    return {"xs": xs, "ys": ys, "kwargs": {"lr": 0.0, "epochs": rng.randrange(2, 4),
                                           "batch_size": batch_size, "seed": seed_in(rng)}}


def _lr0_tells_the_means_apart(case: dict) -> bool:
    """In every epoch of both functions the mean of the batch means is clearly not the sample mean."""
    want = sum(y * y for y in case["ys"]) / len(case["ys"])
    for function in FUNCTIONS:
        for fresh in (True, False):
            _, _, _, batch_means = _replay_case(case, function, fresh)
            if min(abs(mean - want) for mean in batch_means) < 0.02 * want:
                return False
    return True


def _line_converges(case: dict) -> bool:
    """The grader's run ends near the least-squares line, and its losses fall."""
    slope, intercept = _least_squares(case["xs"], case["ys"])
    for function in FUNCTIONS:
        w, b, losses, _ = _replay_case(case, function, True)
        if not (near(w, slope, 0.03) and near(b, intercept, 0.03) and losses[-1] < losses[0]):
            return False
    return True


def draw(rng: random.Random) -> dict:
    """A line case that converges and an lr=0 case that tells the two averages apart (drawn again until so)."""
    line = _draw_line(rng)
    while not _line_converges(line):
        line = _draw_line(rng)
    lr0 = _draw_lr0(rng)
    while not _lr0_tells_the_means_apart(lr0):
        lr0 = _draw_lr0(rng)
    return {"line": line, "lr0": lr0}


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


def _replay(xs, ys, orders, lr: float, batch_size: int) -> tuple[float, float, list[float], list[float]]:
    """The grader's own minibatch gradient descent: (w, b, epoch losses, each epoch's mean of batch means)."""
    w = b = 0.0
    losses, batch_means = [], []
    for order in orders:
        total, means = 0.0, []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            errors = [w * xs[i] + b - ys[i] for i in batch]
            total += sum(e * e for e in errors)
            means.append(sum(e * e for e in errors) / len(batch))
            w -= lr * 2 / len(batch) * sum(e * xs[i] for e, i in zip(errors, batch))
            b -= lr * 2 / len(batch) * sum(errors)
        losses.append(total / len(order))
        batch_means.append(sum(means) / len(means))
    return w, b, losses, batch_means


def _replay_case(case: dict, function: str, fresh: bool) -> tuple[float, float, list[float], list[float]]:
    """``_replay`` of one drawn case, in the order ``function`` draws (fresh shuffles or reshuffles)."""
    kwargs = case["kwargs"]
    orders = _orders(function, len(case["xs"]), kwargs["epochs"], kwargs["seed"], fresh)
    return _replay(case["xs"], case["ys"], orders, kwargs["lr"], kwargs["batch_size"])


def _least_squares(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and intercept of the best line through the data (where the descent converges)."""
    design = np.column_stack([xs, np.ones(len(xs))])
    solution = np.linalg.lstsq(design, np.array(ys), rcond=None)[0]
    return float(solution[0]), float(solution[1])


INPUTS = inputs_for(EXERCISE, draw)


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


def _show(value) -> str:
    """Numbers to 6 decimals (None stays None), for messages."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return "None" if value is None else f"{value:.6f}"


def _batches(case: dict) -> str:
    """``9 batches of 10 and a last one of 3`` for a case's sizes."""
    n, size = len(case["xs"]), case["kwargs"]["batch_size"]
    return f"{n // size} batches of {size} and a last one of {n % size}"


def _call(function: str, case: dict) -> str:
    """``fit_numpy(lr=0.1, epochs=40, batch_size=10, seed=5) on 93 samples``: what the grader called."""
    arguments = ", ".join(f"{key}={value}" for key, value in case["kwargs"].items())
    return f"{function}({arguments}) on {len(case['xs'])} samples"


def _expect_line(observed, function: str) -> None:
    record = _fit(observed, function, "line")
    w, b = record["w"], record["b"]
    expect(w is not None and b is not None,
           f"{function}() returned w of type {record['w_type']} and b of type {record['b_type']}, expected numbers")
    case = INPUTS["line"]
    slope, intercept = _least_squares(case["xs"], case["ys"])
    expect(near(w, slope, 0.1) and near(b, intercept, 0.1),
           f"{_call(function, case)} of a line it never saw returned w={w:.3f}, b={b:.3f}, which is "
           f"{abs(w - slope):.3f} and {abs(b - intercept):.3f} away from the best line through that data (allowed: "
           "0.1 each): compute w and b from the data you are given")


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


def _batch_means_hint(case: dict, function: str, epoch: int, got: float | None) -> str:
    """`` (that is the mean of the batch means)`` where ``got`` is that epoch's mean of batch means."""
    if got is None or epoch >= case["kwargs"]["epochs"]:
        return ""
    means = [_replay_case(case, function, fresh)[3][epoch] for fresh in (True, False)]
    return " (that is the mean of the batch means)" if any(near(got, mean, 1e-9) for mean in means) else ""


@pytest.mark.points(3)
def test_epoch_loss_is_averaged_by_sample_count(observed):
    """An epoch's loss is the sum of squared errors over the number of samples."""
    case = INPUTS["lr0"]
    ys, n = case["ys"], len(case["ys"])
    want = sum(y * y for y in ys) / n
    for function in FUNCTIONS:
        losses = _numbers(_fit(observed, function, "lr0"), function)
        worst = max(range(len(losses)), key=lambda i: abs(losses[i] - want), default=None)
        got = None if worst is None else losses[worst]
        off = "no epoch loss" if got is None else \
            f"an epoch loss of {_show(got)}{_batch_means_hint(case, function, worst, got)}, {abs(got - want):.2g} " \
            f"off the squared errors summed over all {n} samples / {n}"
        expect(got is not None and near(got, want, 1e-9),
               f"{function}() with lr=0 on {n} samples in {_batches(case)} gave {off}: with lr=0 w and b stay 0, "
               "so every epoch's loss is the mean of y**2 over the samples, whatever the batches")


@pytest.mark.points(3)
def test_matches_minibatch_gradient_descent(observed):
    """w, b and losses equal the grader's own minibatch run (short last batch included)."""
    case = INPUTS["line"]
    size = case["kwargs"]["batch_size"]
    for function in FUNCTIONS:
        record = _fit(observed, function, "line")
        got_losses = _numbers(record, function)
        replays = [_replay_case(case, function, fresh) for fresh in (True, False)]
        got = [record["w"], record["b"]]
        same = [replay for replay in replays if None not in got and np.allclose(got, replay[:2], atol=1e-9)]
        w, b, losses, batch_means = (same or replays)[0]
        off = "" if None in got else f", {abs(got[0] - w):.2g} and {abs(got[1] - b):.2g} away from what"
        expect(bool(same), f"{_call(function, case)} returned w={_show(got[0])}, b={_show(got[1])}{off} the "
               f"grader's run from w = b = 0 gives: one step per batch of {size} (the short last batch of "
               f"{len(case['xs']) % size} too), gradients 2/m * sum(e*x) and 2/m * sum(e), the order drawn from the "
               "generator the exercise names")
        matches = len(got_losses) == len(losses) and np.allclose(got_losses, losses, rtol=1e-9, atol=1e-12)
        first = next((i for i, (g, l) in enumerate(zip(got_losses, losses)) if not near(g, l, 1e-9 * abs(l) + 1e-12)),
                     min(len(got_losses), len(losses)))
        means = len(got_losses) == len(losses) and np.allclose(got_losses, batch_means, rtol=1e-9, atol=1e-12)
        expect(matches,
               f"{_call(function, case)} returned the right w and b but {len(got_losses)} epoch losses for "
               f"{len(losses)} epochs that differ from the grader's from epoch {first + 1} on"
               f"{' (they are the means of the batch means)' if means else ''}: each epoch's loss is the sum of every "
               f"sample's squared error, taken before its batch's update, divided by the {len(case['xs'])} samples")


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
