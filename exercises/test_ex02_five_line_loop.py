"""Visible tests for exercise 2: the five-line loop."""
import torch
from torch import nn


def _line(n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=generator) * 2 - 1
    y = 2 * x + 1 + 0.1 * torch.randn(n, 1, generator=generator)
    return x, y


def test_train_step_returns_the_loss_as_a_float(ex):
    x, y = _line()
    model = nn.Linear(1, 1)
    loss = ex.train_step(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), x, y)
    assert isinstance(loss, float), (
        f"train_step returned a {type(loss).__name__}, expected a Python float: return loss.item()")


def test_train_step_changes_the_weights_like_one_sgd_step(ex):
    x, y = _line()
    torch.manual_seed(1)
    model, reference = nn.Linear(1, 1), nn.Linear(1, 1)
    reference.load_state_dict(model.state_dict())
    ex.train_step(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), x, y)
    nn.MSELoss()(reference(x), y).backward()
    expected = reference.weight.item() - 0.1 * reference.weight.grad.item()
    got = model.weight.item()
    assert abs(got - expected) < 1e-5, (
        f"after one train_step the weight is {got:.5f}, expected {expected:.5f} "
        "(one SGD step on the loss of this batch)")


def test_fit_returns_one_falling_loss_per_epoch(ex):
    x, y = _line()
    model = nn.Linear(1, 1)
    losses = ex.fit(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), x, y, 30)
    assert len(losses) == 30, f"fit returned {len(losses)} losses for 30 epochs, expected 30"
    assert losses[-1] < losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall"


def test_fit_line_learns_slope_2_and_intercept_1(ex):
    torch.manual_seed(0)
    x, y = _line(n=100)
    model, losses = ex.fit_line(x, y, epochs=100, lr=0.1)
    weight, bias = model.weight.item(), model.bias.item()
    assert abs(weight - 2) < 0.1, f"weight {weight:.3f}, expected 2.0 +/- 0.1"
    assert abs(bias - 1) < 0.1, f"bias {bias:.3f}, expected 1.0 +/- 0.1"
    assert losses[-1] < losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall"
