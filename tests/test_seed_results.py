"""The reference solutions reproduce the course's seed results, exercise by exercise (exercise 8,
MNIST, in test_seed_results_mnist.py: it needs the prepared data)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def _plane(n=120, seed=0):
    """y = 3*x1 + 2*x2 + 5 + 0.1 noise, x [n, 2], y [n, 1]."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=generator)
    return x, 3 * x[:, :1] + 2 * x[:, 1:] + 5 + 0.1 * torch.randn(n, 1, generator=generator)


# -- ex01: the loop by hand ------------------------------------------------------------------

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


# -- ex02: the five-line loop ----------------------------------------------------------------

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


# -- ex05: the best checkpoint ---------------------------------------------------------------

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


# -- ex06: devices ---------------------------------------------------------------------------

def test_ex06_train_on_device_fits_the_plane_on_cpu(load_solution):
    x, y = _plane()
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    losses = load_solution("ex06_devices").train_on_device(
        model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05), loader, 40, "cpu")
    weights = model.weight.detach().flatten().tolist()
    assert losses[-1] < 0.02, f"final loss {losses[-1]:.4f}, expected < 0.02 (noise variance 0.01)"
    assert abs(weights[0] - 3) < 0.05 and abs(weights[1] - 2) < 0.05, (
        f"weights {weights}, expected [3, 2]")


# -- ex07: binary classification -------------------------------------------------------------

def test_ex07_seed_002_plane_as_classification_reaches_95_percent(load_solution):
    result = load_solution("ex07_binary_classification").fit_binary_plane(seed=0)
    accuracy, losses = result["val_accuracy"], result["train_losses"]
    assert accuracy >= 0.95, f"val accuracy {accuracy:.3f}, expected >= 0.95"
    assert len(losses) == 80 and losses[-1] < 0.2, f"{len(losses)} epochs, last {losses[-1]:.3f}"


def test_ex07_fit_binary_plane_is_reproducible(load_solution):
    ex07 = load_solution("ex07_binary_classification")
    first, second = ex07.fit_binary_plane(seed=3), ex07.fit_binary_plane(seed=3)
    assert first["train_losses"] == second["train_losses"]


# -- ex09: fix the loop ----------------------------------------------------------------------

def test_ex09_fixed_loops_fit_the_plane(load_solution):
    ex09 = load_solution("ex09_fix_the_loop")
    x, y = _plane()
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    loader = ex09.make_train_loader(x, y, batch_size=16, seed=0)
    losses = ex09.collect_losses(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05),
                                 loader, 40)
    assert losses[-1] < 0.02, f"final loss {losses[-1]:.4f}, expected < 0.02"
    loss = ex09.regression_loss(model(x), y.flatten()).item()
    assert abs(loss - nn.MSELoss()(model(x), y).item()) < 1e-6


# -- ex10: gradient accumulation -------------------------------------------------------------

@pytest.mark.parametrize("n, micro_batches", [(64, 4), (61, 4), (3, 5)])
def test_ex10_accumulated_step_matches_a_big_batch_step(load_solution, n, micro_batches):
    x, y = _plane(n)
    torch.manual_seed(0)
    model, twin = nn.Linear(2, 1), nn.Linear(2, 1)
    twin.load_state_dict(model.state_dict())
    loss = load_solution("ex10_grad_accumulation").accumulated_step(
        model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.01), x, y, micro_batches)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.01)
    expected = nn.MSELoss()(twin(x), y)
    expected.backward()
    optimizer.step()
    assert abs(loss - expected.item()) < 1e-4 * expected.item()
    assert torch.allclose(model.weight, twin.weight, atol=1e-5)
