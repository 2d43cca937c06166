"""Visible tests for exercise 10: gradient accumulation.

``accumulated_step`` runs under the grader's loop spy (see ``_diagnosis``): the backward passes
and the step it records name where gradients were cleared, or not, in the grader's words.
"""
import math

import pytest
import torch
from torch import nn

from _diagnosis import watched


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


def _loss_relation(got, model, x, y, micro_batches):
    """What a wrong returned loss is, when it is one of the usual mistakes (as the grader names them)."""
    with torch.no_grad():
        means = [nn.MSELoss()(model(xc), yc).item()
                 for xc, yc in zip(torch.chunk(x, micro_batches), torch.chunk(y, micro_batches))]
    if abs(got - sum(means)) < 1e-6:
        return " (that is the sum of the micro-batch mean losses, unscaled)"
    if abs(got - sum(means) / micro_batches) < 1e-6:
        return (f" (that is the plain mean of the {micro_batches} micro-batch means, which weighs a short chunk "
                "like a full one)")
    return ""


def test_accumulated_step_returns_the_full_batch_loss(ex):
    x, y = _data(10)
    model, twin = _model_and_twin()
    got = _step(ex, model, x, y, 3)
    relation = _loss_relation(got, twin, x, y, 3) if isinstance(got, float) else ""
    expected = _big_batch_step(twin, x, y)
    assert isinstance(got, float), (
        f"accumulated_step returned a {type(got).__name__}, expected a Python float")
    assert abs(got - expected) < 1e-6, (
        f"accumulated_step returned {got:.6f}{relation}, {abs(got - expected):.6f} away from the mean loss over all 10 "
        "samples before the step, i.e. the sum of the scaled micro-batch losses")


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


def _expect_one_step_after_the_micro_batches(run, call):
    kinds = [event["kind"] for event in run.events]
    forwards = [event["batch"] for event in run.of("forward") if event["grad"]]
    steps, backwards = kinds.count("step"), kinds.count("backward")
    assert steps == 1, (f"{call} called optimizer.step() {steps} times, expected once, after all 3 micro-batches: "
                        "the point is one step for the whole batch")
    assert backwards == 3 and len(forwards) == 3 and sum(forwards) == 10, (
        f"{call} ran {len(forwards)} forwards with autograd on {forwards} samples and {backwards} backwards, "
        "expected 3 micro-batches covering all 10 samples, each with its own backward")
    last_backward = max(i for i, kind in enumerate(kinds) if kind == "backward")
    assert kinds.index("step") > last_backward, (
        f"{call} stepped before the last micro-batch's backward: step once, after all of them")


def test_accumulated_step_clears_gradients_once_per_call_and_steps_once(ex):
    x, y = _data(10)
    model, _ = _model_and_twin()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    call = "accumulated_step(x of 10 samples, micro_batches=3)"
    for number in (1, 2):
        run = watched(model, ex.accumulated_step, model, nn.MSELoss(), optimizer, x, y, 3, optimizer=optimizer)
        backwards = run.of("backward")
        assert backwards, f"{call} never called backward()"
        _expect_one_step_after_the_micro_batches(run, call)
        assert not backwards[0]["accumulated"], (
            f"call {number} of {call}: the first micro-batch's gradient was added to gradients left over from "
            "the previous call: zero the gradients once per call, before the first micro-batch (or after the "
            "step), never between micro-batches")
        assert all(backward["accumulated"] for backward in backwards[1:]), (
            "the gradients were cleared between micro-batches (a backward found .grad empty after the first "
            "one), so the step used only the last chunk's: zero_grad once per call, before the first "
            "micro-batch")
