"""The reference solutions reproduce the course's seed results (exercises 1, 2 and 5)."""
from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.mark.parametrize("name", ["fit_python", "fit_numpy"])
def test_ex01_fits_the_line_from_make_data(load_solution, name):
    ex01 = load_solution("ex01_loop_by_hand")
    xs, ys = ex01.make_data()
    if name == "fit_numpy":
        xs, ys = np.array(xs), np.array(ys)
    w, b, losses = getattr(ex01, name)(xs, ys)
    assert abs(w - 1.7) < 0.1, f"{name}: weight {w:.3f}, expected 1.7 +/- 0.1"
    assert abs(b + 0.4) < 0.1, f"{name}: bias {b:.3f}, expected -0.4 +/- 0.1"
    assert losses[-1] < losses[0], (
        f"{name}: loss went from {losses[0]:.4f} to {losses[-1]:.4f}, expected it to fall")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ex02_fit_line_recovers_slope_2_and_intercept_1(load_solution, seed):
    """y = 2x + 1 + 0.1 noise, Linear(1, 1), SGD 0.1, 100 epochs: within 0.05 of 2 and 1."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(100, 1, generator=generator) * 2 - 1
    y = 2 * x + 1 + 0.1 * torch.randn(100, 1, generator=generator)
    torch.manual_seed(seed)
    model, losses = load_solution("ex02_five_line_loop").fit_line(x, y, epochs=100, lr=0.1)
    weight, bias = model.weight.item(), model.bias.item()
    assert abs(weight - 2) < 0.05, f"seed {seed}: weight {weight:.4f}, expected 2 +/- 0.05"
    assert abs(bias - 1) < 0.05, f"seed {seed}: bias {bias:.4f}, expected 1 +/- 0.05"
    assert losses[-1] < losses[0], f"seed {seed}: loss went from {losses[0]:.4f} to {losses[-1]:.4f}"


def test_ex05_fit_plane_recovers_the_plane(load_solution):
    result = load_solution("ex05_best_checkpoint").fit_plane()
    with torch.no_grad():
        points = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
        predictions = result["model"](points).flatten().tolist()
    for got, expected in zip(predictions, [12.0, 3.0, 5.0]):
        assert abs(got - expected) < 0.3, (
            f"prediction {got:.3f}, expected {expected} +/- 0.3 (predictions {predictions})")
    best = result["best_val_loss"]
    assert best < 0.15, f"best validation loss {best:.4f}, expected below 0.15"
