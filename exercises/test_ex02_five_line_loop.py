"""Visible tests for exercise 2: the five-line loop.

The training functions run under the grader's loop spy (see ``_diagnosis``), so a wrong order of
zero_grad, backward and step is named as such before its effect on the weights.
"""
import pytest
import torch
from torch import nn

from _curves import record_losses
from _diagnosis import first_order_problem, watched, watched_new_model


def _line(n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=generator) * 2 - 1
    y = 2 * x + 1 + 0.1 * torch.randn(n, 1, generator=generator)
    return x, y


def _model_and_twin(seed=1):
    torch.manual_seed(seed)
    model, twin = nn.Linear(1, 1), nn.Linear(1, 1)
    twin.load_state_dict(model.state_dict())
    return model, twin


def _optimizer(name, model, lr=0.1):
    return getattr(torch.optim, name)(model.parameters(), lr=lr)


def _one_step(twin, x, y, optimizer_name="SGD", lr=0.1):
    """Where one step of SGD or Adam from the twin's weights lands (Adam's first step moves each
    weight by lr * g / (|g| + eps)); the twin is updated in place."""
    gradients = torch.autograd.grad(nn.MSELoss()(twin(x), y), list(twin.parameters()))
    with torch.no_grad():
        for parameter, gradient in zip(twin.parameters(), gradients):
            if optimizer_name == "Adam":
                gradient = gradient / (gradient.abs() + 1e-8)
            parameter -= lr * gradient


def _same_weights(model, twin):
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(model.parameters(), twin.parameters()))


def test_train_step_returns_the_loss_as_a_float(ex):
    x, y = _line()
    model, twin = _model_and_twin()
    loss = ex.train_step(model, nn.MSELoss(), _optimizer("SGD", model), x, y)
    assert isinstance(loss, float), (
        f"train_step returned a {type(loss).__name__}, expected a Python float: return loss.item()")
    before = nn.MSELoss()(twin(x), y).item()
    _one_step(twin, x, y)
    after = nn.MSELoss()(twin(x), y).item()
    when = " (that is the loss after the step)" if abs(loss - after) < 1e-5 else ""
    assert abs(loss - before) < 1e-5, (
        f"train_step() returned a loss that is not the loss of the model it was handed on the batch it was "
        f"handed{when}: compute the loss before optimizer.step() and return loss.item()")


def test_train_step_call_order(ex):
    x, y = _line()
    model, twin = _model_and_twin()
    optimizer = _optimizer("SGD", model)
    run = watched(model, ex.train_step, model, nn.MSELoss(), optimizer, x, y, optimizer=optimizer)
    _one_step(twin, x, y)
    problem = first_order_problem(run, weights_match=_same_weights(model, twin))
    assert not problem, problem
    steps = run.count("step")
    assert steps == 1, f"optimizer.step() ran {steps} times in one train_step(), expected once"


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
def test_train_step_changes_the_weights_like_one_step(ex, optimizer_name):
    x, y = _line()
    model, twin = _model_and_twin()
    start = model.weight.item()
    ex.train_step(model, nn.MSELoss(), _optimizer(optimizer_name, model), x, y)
    _one_step(twin, x, y, optimizer_name)
    got, want = model.weight.item(), twin.weight.item()
    assert abs(got - want) < 1e-5, (
        f"train_step() moved the weight by {got - start:+.5f}; one step of {optimizer_name}(lr=0.1) from the "
        f"same start moves it by {want - start:+.5f}: the update does not match forward, loss, zero_grad, "
        "backward, step")


def test_train_step_clears_gradients_it_is_handed(ex):
    x, y = _line()
    model, twin = _model_and_twin()
    for parameter in model.parameters():
        parameter.grad = torch.full_like(parameter, 0.5)  # as an earlier backward would leave them
    ex.train_step(model, nn.MSELoss(), _optimizer("SGD", model), x, y)
    _one_step(twin, x, y)
    assert _same_weights(model, twin), (
        "train_step() was handed a model whose .grad still held an earlier backward's gradients, and its step "
        "used them too: call optimizer.zero_grad() before loss.backward() in train_step (clearing after the "
        "step only helps if every caller hands in clean gradients)")


def test_fit_returns_one_falling_loss_per_epoch(ex, request):
    x, y = _line()
    model, twin = _model_and_twin()
    optimizer = _optimizer("SGD", model)
    run = watched(model, ex.fit, model, nn.MSELoss(), optimizer, x, y, 30, optimizer=optimizer)
    losses = run.returned
    record_losses(request, losses)
    assert len(losses) == 30, f"fit returned {len(losses)} losses for 30 epochs, expected 30"
    steps = run.count("step")
    assert steps == 30, f"fit() took {steps} optimizer steps for 30 epochs, expected 30"
    problem = first_order_problem(run)
    assert not problem, problem
    assert losses[-1] < losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall"
    twin_optimizer = _optimizer("SGD", twin)
    for _ in range(30):
        ex.train_step(twin, nn.MSELoss(), twin_optimizer, x, y)
    assert _same_weights(model, twin), (
        f"fit() ended with weight {model.weight.item():.5f}; 30 calls of your train_step from the same start "
        f"end at {twin.weight.item():.5f}: fit is one train_step per epoch on the whole batch")


def test_fit_line_learns_slope_2_and_intercept_1(ex, request):
    torch.manual_seed(0)
    x, y = _line(n=100)
    run = watched_new_model(ex.fit_line, x, y, epochs=120, lr=0.15)
    model, losses = run.returned
    record_losses(request, losses)
    rates = sorted({event["lr"] for event in run.of("step")} - {None})
    assert rates in ([], [0.15]), (
        f"fit_line(x, y, epochs=120, lr=0.15) stepped with lr={', '.join(map(str, rates))}: build the optimizer "
        "with the lr fit_line is given")
    steps = run.count("step")
    assert steps == 120, (
        f"fit_line() took {steps} optimizer steps on the model it returned for 120 epochs, expected one per epoch")
    problem = first_order_problem(run)
    assert not problem, problem
    weight, bias = model.weight.item(), model.bias.item()
    assert abs(weight - 2) < 0.1, f"weight {weight:.3f}, expected 2.0 +/- 0.1"
    assert abs(bias - 1) < 0.1, f"bias {bias:.3f}, expected 1.0 +/- 0.1"
    assert losses[-1] < losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall"
