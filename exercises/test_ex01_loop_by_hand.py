"""Visible tests for exercise 1: the loop by hand, in plain Python and in NumPy.

Each test runs for both functions; PyTorch's autograd serves as the reference answer.
"""
import random

import numpy as np
import pytest
import torch

from _diagnosis import torch_functions_called, torch_names

FUNCTIONS = ["fit_python", "fit_numpy"]


def _fit(ex, name, xs, ys, **kwargs):
    """Call fit_python with lists or fit_numpy with arrays."""
    if name == "fit_numpy":
        xs, ys = np.array(xs), np.array(ys)
    return getattr(ex, name)(xs, ys, **kwargs)


def _orders(name, n, epochs, seed, fresh):
    """Every epoch's sample order: a shuffled 0..n-1 (fresh) or the previous order shuffled again."""
    shuffled = _shuffler(name, seed)
    order, orders = list(range(n)), []
    for _ in range(epochs):
        order = shuffled(list(range(n)) if fresh else order)
        orders.append(order)
    return orders


def _shuffler(name, seed):
    """A function returning a shuffled copy of a list, drawn from the generator the exercise names."""
    if name == "fit_numpy":
        generator = np.random.default_rng(seed)
        return lambda order: generator.permutation(order).tolist()
    rng = random.Random(seed)

    def shuffled(order):
        order = list(order)
        rng.shuffle(order)
        return order
    return shuffled


def _reference(xs, ys, orders, lr, batch_size):
    """Minibatch SGD on w*x + b with torch autograd: [w, b, loss of every epoch]."""
    x, y = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    w, b = (torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in range(2))
    losses = []
    for order in orders:
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = torch.tensor(order[start:start + batch_size])
            loss = ((w * x[batch] + b - y[batch]) ** 2).mean()
            grad_w, grad_b = torch.autograd.grad(loss, (w, b))
            total += loss.item() * len(batch)
            with torch.no_grad():
                w -= lr * grad_w
                b -= lr * grad_b
        losses.append(total / len(order))
    return [w.item(), b.item(), *losses]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_returns_python_floats_and_one_loss_per_epoch(ex, name):
    xs, ys = ex.make_data(n=40, seed=1)
    w, b, losses = _fit(ex, name, xs, ys, epochs=5)
    kinds = {type(value).__name__ for value in (w, b, *losses)}
    assert kinds == {"float"}, (
        f"{name} returned values of type {sorted(kinds)}, expected only Python float")
    assert len(losses) == 5, f"{name} returned {len(losses)} epoch losses for 5 epochs, expected 5"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_learns_slope_and_intercept(ex, name):
    xs, ys = ex.make_data(n=200, seed=0)
    w, b, losses = _fit(ex, name, xs, ys, lr=0.1, epochs=100, batch_size=16, seed=0)
    assert abs(w - 1.7) < 0.1, f"{name}: weight {w:.3f}, expected 1.7 +/- 0.1"
    assert abs(b + 0.4) < 0.1, f"{name}: bias {b:.3f}, expected -0.4 +/- 0.1"
    assert losses[-1] < losses[0], (
        f"{name}: loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_epoch_loss_is_averaged_by_sample_count(ex, name):
    xs, ys = [0.0] * 10, [1.0] * 8 + [4.0, 7.0]  # with lr=0 the loss is mean(y**2) in any order
    expected = sum(y * y for y in ys) / len(ys)
    _, _, losses = _fit(ex, name, xs, ys, lr=0.0, epochs=3, batch_size=4, seed=0)
    worst = max(losses, key=lambda loss: abs(loss - expected))
    assert abs(worst - expected) < 1e-9, (
        f"{name} with lr=0, 10 samples in batches of 4: epoch loss {worst:.4f}, "
        f"{abs(worst - expected):.4f} away from the reference loop's "
        "(sum of squared errors / 10 samples, not the mean of the batch means)")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_matches_minibatch_sgd_in_a_new_shuffled_order_each_epoch(ex, name):
    xs, ys = ex.make_data(n=50, seed=2)
    w, b, losses = _fit(ex, name, xs, ys, lr=0.1, epochs=3, batch_size=16, seed=7)
    assert len(losses) == 3, f"{name} returned {len(losses)} epoch losses for 3 epochs, expected 3"
    # A new order every epoch: shuffling a fresh 0..N-1 or the previous order both count.
    expected = [_reference(xs, ys, _orders(name, 50, 3, 7, fresh), 0.1, 16) for fresh in (True, False)]
    matches = any(np.allclose([w, b, *losses], ref, rtol=1e-9, atol=1e-12) for ref in expected)
    assert matches, (
        f"{name} after 3 epochs of 50 samples in batches of 16 (seed 7): w={w:.6f}, b={b:.6f}, "
        f"losses {[round(v, 6) for v in losses]}; expected w={expected[0][0]:.6f}, b={expected[0][1]:.6f}, "
        f"losses {[round(v, 6) for v in expected[0][2:]]} (one step per batch, short last batch "
        "included, a new order every epoch from one generator made before the first epoch)")


def test_uses_no_torch(ex):
    names = torch_names(ex)
    assert not names, (f"your module uses PyTorch ({', '.join(names)}): exercise 1 computes the gradients by "
                       "hand, in plain Python and NumPy")
    xs, ys = ex.make_data(n=20, seed=3)
    for name in FUNCTIONS:
        _, called = torch_functions_called(_fit, ex, name, xs, ys, epochs=2, batch_size=8)
        assert not called, (f"{name}() called PyTorch ({', '.join(called[:3])}): exercise 1 computes dw and db "
                            "by hand, in plain Python and NumPy")
