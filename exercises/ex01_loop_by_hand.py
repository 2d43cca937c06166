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
    # TODO(ex01): implement fit_python()
    raise NotImplementedError("ex01: implement fit_python() in exercises/ex01_loop_by_hand.py")


def fit_numpy(x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 100,
              batch_size: int = 16, seed: int = 0) -> tuple[float, float, list[float]]:
    """The same with NumPy, vectorised per batch; returns Python floats (w, b, losses)."""
    # TODO(ex01): implement fit_numpy()
    raise NotImplementedError("ex01: implement fit_numpy() in exercises/ex01_loop_by_hand.py")
