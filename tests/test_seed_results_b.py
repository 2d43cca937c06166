"""Kit tests: the reference solutions of exercises 6, 7, 9 and 10 reach their expected results."""
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "exercises"))

from _loader import load_exercise  # noqa: E402


def _solution(module: str):
    return load_exercise(ROOT / "solutions" / f"{module}.py")


def _plane(n=120, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=generator)
    return x, 3 * x[:, :1] + 2 * x[:, 1:] + 5 + 0.1 * torch.randn(n, 1, generator=generator)


def test_seed_002_plane_as_classification_reaches_95_percent():
    result = _solution("ex07_binary_classification").fit_binary_plane(seed=0)
    accuracy, losses = result["val_accuracy"], result["train_losses"]
    assert accuracy >= 0.95, f"val accuracy {accuracy:.3f}, expected >= 0.95"
    assert len(losses) == 80 and losses[-1] < 0.2, f"{len(losses)} epochs, last {losses[-1]:.3f}"


def test_fit_binary_plane_is_reproducible():
    ex07 = _solution("ex07_binary_classification")
    first, second = ex07.fit_binary_plane(seed=3), ex07.fit_binary_plane(seed=3)
    assert first["train_losses"] == second["train_losses"]


def test_train_on_device_fits_the_plane_on_cpu():
    x, y = _plane()
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    losses = _solution("ex06_devices").train_on_device(
        model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05), loader, 40, "cpu")
    weights = model.weight.detach().flatten().tolist()
    assert losses[-1] < 0.02, f"final loss {losses[-1]:.4f}, expected < 0.02 (noise variance 0.01)"
    assert abs(weights[0] - 3) < 0.05 and abs(weights[1] - 2) < 0.05, (
        f"weights {weights}, expected [3, 2]")


def test_fixed_loops_fit_the_plane():
    ex09 = _solution("ex09_fix_the_loop")
    x, y = _plane()
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    loader = ex09.make_train_loader(x, y, batch_size=16, seed=0)
    losses = ex09.collect_losses(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05),
                                 loader, 40)
    assert losses[-1] < 0.02, f"final loss {losses[-1]:.4f}, expected < 0.02"
    loss = ex09.regression_loss(model(x), y.flatten()).item()
    assert abs(loss - nn.MSELoss()(model(x), y).item()) < 1e-6


@pytest.mark.parametrize("n, micro_batches", [(64, 4), (61, 4), (3, 5)])
def test_accumulated_step_matches_a_big_batch_step(n, micro_batches):
    x, y = _plane(n)
    torch.manual_seed(0)
    model, twin = nn.Linear(2, 1), nn.Linear(2, 1)
    twin.load_state_dict(model.state_dict())
    loss = _solution("ex10_grad_accumulation").accumulated_step(
        model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.01), x, y, micro_batches)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.01)
    expected = nn.MSELoss()(twin(x), y)
    expected.backward()
    optimizer.step()
    assert abs(loss - expected.item()) < 1e-4 * expected.item()
    assert torch.allclose(model.weight, twin.weight, atol=1e-5)
