"""Exercise 1: The loop by hand (Python and NumPy).

Before PyTorch does it for you, fit the line ``y = w*x + b`` with minibatch gradient descent
written out by hand: once in plain Python, once vectorised with NumPy. No torch here.
Both start from w = b = 0.0 and make one random generator before the first epoch: every
epoch, ``fit_python`` shuffles a fresh ``list(range(N))`` with ``random.Random(seed)`` and
``fit_numpy`` takes ``rng.permutation(N)`` from ``np.random.default_rng(seed)``. Go through that
order in minibatches of ``batch_size`` (the last one may be shorter). For a batch of m samples
with errors ``e = w*x + b - y`` the MSE gradient is ``dw = 2/m * sum(e*x)``, ``db = 2/m * sum(e)``.
An epoch's loss is the sum of every sample's squared error (taken with the weights used for its
batch, before the update) divided by the number of samples N.
Decided: shuffle with ``rng.shuffle`` / ``rng.permutation`` as above (``rng.sample`` draws another
order); compute in float64 (Python floats, NumPy's default dtype), not float32, whose rounding
differs from the checker's beyond its tolerance.
"""
from __future__ import annotations

import random

import numpy as np


def make_data(n: int = 200, seed: int = 0) -> tuple[list[float], list[float]]:
    """n samples: x uniform in [-1, 1], y = 1.7*x - 0.4 + 0.1*gaussian noise (given)."""
    rng = random.Random(seed)
    xs = [rng.uniform(-1.0, 1.0) for _ in range(n)]
    ys = [1.7 * x - 0.4 + 0.1 * rng.gauss(0.0, 1.0) for x in xs]
    return xs, ys


def fit_python(xs: list[float], ys: list[float], lr: float = 0.1, epochs: int = 100,
               batch_size: int = 16, seed: int = 0) -> tuple[float, float, list[float]]:
    """Minibatch gradient descent in plain Python; returns (w, b, one loss per epoch)."""
    ### BEGIN SOLUTION
    rng = random.Random(seed)
    w, b, n = 0.0, 0.0, len(xs)
    epoch_losses = []
    for _ in range(epochs):
        order = list(range(n))
        rng.shuffle(order)
        squared_errors = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            errors = [w * xs[i] + b - ys[i] for i in batch]
            squared_errors += sum(e * e for e in errors)
            grad_w = 2 / len(batch) * sum(e * xs[i] for e, i in zip(errors, batch))
            grad_b = 2 / len(batch) * sum(errors)
            w, b = w - lr * grad_w, b - lr * grad_b
        epoch_losses.append(squared_errors / n)
    return w, b, epoch_losses
    ### END SOLUTION


def fit_numpy(x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 100,
              batch_size: int = 16, seed: int = 0) -> tuple[float, float, list[float]]:
    """The same with NumPy, vectorised per batch; returns Python floats (w, b, losses)."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    w, b, n = 0.0, 0.0, len(x)
    epoch_losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        squared_errors = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            errors = w * x[batch] + b - y[batch]
            squared_errors += float(np.sum(errors ** 2))
            grad_w = 2 * float(np.mean(errors * x[batch]))
            grad_b = 2 * float(np.mean(errors))
            w, b = w - lr * grad_w, b - lr * grad_b
        epoch_losses.append(squared_errors / n)
    return w, b, epoch_losses
    ### END SOLUTION
