"""Visible tests for exercise 10: gradient accumulation."""
import math

import pytest
import torch
from torch import nn


def _data(n, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=generator)
    return x, x.sum(dim=1, keepdim=True).sin() + 0.1 * torch.randn(n, 1, generator=generator)


def _model_and_twin(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    twin = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    twin.load_state_dict(model.state_dict())
    return model, twin


def _big_batch_step(model, x, y):
    """The reference: one ordinary step on the whole batch; returns its loss."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss = nn.MSELoss()(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _step(ex, model, x, y, micro_batches):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    return ex.accumulated_step(model, nn.MSELoss(), optimizer, x, y, micro_batches)


def test_accumulated_step_returns_the_full_batch_loss(ex):
    x, y = _data(10)
    model, twin = _model_and_twin()
    got = _step(ex, model, x, y, 3)
    expected = _big_batch_step(twin, x, y)
    assert isinstance(got, float), (
        f"accumulated_step returned a {type(got).__name__}, expected a Python float")
    assert abs(got - expected) < 1e-6, (
        f"accumulated_step returned {got:.6f}, expected {expected:.6f}: the mean loss over all 10 "
        "samples, i.e. the sum of the scaled micro-batch losses")


@pytest.mark.parametrize("n, micro_batches", [(12, 4), (10, 3), (7, 2), (5, 1)])
def test_accumulated_step_equals_one_big_batch_step(ex, n, micro_batches):
    x, y = _data(n)
    model, twin = _model_and_twin()
    _step(ex, model, x, y, micro_batches)
    _big_batch_step(twin, x, y)
    worst = max((p - q).abs().max().item() for p, q in zip(model.parameters(), twin.parameters()))
    assert worst < 1e-6, (
        f"with {n} samples in {micro_batches} micro-batches the parameters end up {worst:.2e} "
        "away from one ordinary step on the whole batch, expected < 1e-6: zero the gradients "
        "once, scale each chunk's loss by len(chunk) / len(x), step once")


def test_accumulated_step_never_runs_the_model_on_the_whole_batch(ex):
    x, y = _data(10)
    model, _ = _model_and_twin()
    sizes = []
    model.register_forward_hook(lambda module, inputs, output: sizes.append(len(inputs[0])))
    _step(ex, model, x, y, 3)
    largest = math.ceil(10 / 3)
    assert sum(sizes) == 10 and max(sizes) <= largest, (
        f"the model ran on batches of {sizes} samples, expected micro-batches of at most {largest} "
        "samples that together cover the 10 samples once")
