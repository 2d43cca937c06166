"""Hidden checks for exercise 10, gradient accumulation: micro-batches add up to one big-batch step.

Backward passes that accumulate into ``.grad`` within one step are the point here, so the trace is
judged per call (one step after all micro-batch backwards), not with loop_order's per-step rule.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn

from grader.harness.probes.ex10 import batches, start_model
from grader.judging import expect

EXERCISE = "ex10"
INPUTS = {"cases": [
    {"name": "uneven", "n": 23, "micro_batches": 4, "seed": 61, "lr": 0.3},
    {"name": "short_tail", "n": 10, "micro_batches": 3, "seed": 62, "lr": 0.2},
]}


def _replay(case: dict) -> tuple[list[float], nn.Module]:
    """Two ordinary full-batch SGD steps from the same start: their losses and the final model."""
    model = start_model(case["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=case["lr"])
    losses = []
    for x, y in batches(case):
        loss = nn.MSELoss()(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model


def _call(case: dict) -> str:
    return f"accumulated_step(x of {case['n']} samples, micro_batches={case['micro_batches']})"


def _calls(observed, case: dict) -> list[dict]:
    return observed.scenario(case["name"], "accumulated_step")["calls"]


def _expect_same_weights(observed, case: dict) -> None:
    _calls(observed, case)
    state = observed.state(case["name"])
    _, reference = _replay(case)
    want = dict(reference.named_parameters())
    expect(set(state) == set(want), "the grader could not read the model's weights after accumulated_step()")
    gap = max((state[name] - want[name].detach()).abs().max().item() for name in want)
    expect(gap < 1e-5,
           f"after two calls of {_call(case)} the weights differ by up to {gap:.2e} from two ordinary "
           "full-batch SGD steps: scale each micro-batch's mean loss by len(chunk) / len(x) before "
           "backward, so the gradients add up to the full batch's, and step once per call, from "
           "gradients cleared since the previous call")


@pytest.mark.points(4)
def test_matches_the_full_batch_step(observed):
    """Two accumulated steps leave the weights exactly where two full-batch steps do."""
    for case in INPUTS["cases"]:
        _expect_same_weights(observed, case)


@pytest.mark.points(3)
def test_returns_the_full_batch_loss(observed):
    """accumulated_step returns the whole batch's mean loss before the step, as a float."""
    for case in INPUTS["cases"]:
        want, _ = _replay(case)
        for number, (call, expected) in enumerate(zip(_calls(observed, case), want), start=1):
            expect(call["loss"] is not None,
                   f"{_call(case)} returned a {call['loss_type']}, expected a Python float")
            expect(abs(call["loss"] - expected) < 1e-5,
                   f"call {number} of {_call(case)} returned {call['loss']:.5f}, expected {expected:.5f}: the "
                   "mean loss over all samples, the sum of the scaled micro-batch losses (.item() of each)")


@pytest.mark.points(4)
def test_one_step_after_all_micro_batch_backwards(observed):
    """Each call runs one forward and backward per micro-batch, then exactly one optimizer step."""
    for case in INPUTS["cases"]:
        parts = case["micro_batches"]
        for call in _calls(observed, case):
            kinds = [e["kind"] for e in call["events"]]
            forwards = [e["batch"] for e in call["events"] if e["kind"] == "forward"]
            steps, backwards = kinds.count("step"), kinds.count("backward")
            expect(steps == 1, f"{_call(case)} called optimizer.step() {steps} times, expected once, after all "
                               f"{parts} micro-batches: the point is one step for the whole batch")
            expect(backwards == parts and len(forwards) == parts and sum(forwards) == case["n"],
                   f"{_call(case)} ran {len(forwards)} forwards on {forwards} samples and {backwards} "
                   f"backwards, expected {parts} micro-batches covering all {case['n']} samples, "
                   f"each with its own backward")
            expect(kinds.index("step") > max(i for i, kind in enumerate(kinds) if kind == "backward"),
                   f"{_call(case)} stepped before the last micro-batch's backward: step once, after all of them")


@pytest.mark.points(2)
def test_starts_from_cleared_gradients(observed):
    """Gradients of the previous call are cleared: only this call's micro-batches add up."""
    for case in INPUTS["cases"]:
        for number, call in enumerate(_calls(observed, case), start=1):
            first = next((e for e in call["events"] if e["kind"] == "backward"), None)
            expect(first is not None, f"{_call(case)} never called backward()")
            expect(not first["accumulated"],
                   f"call {number} of {_call(case)}: the first micro-batch's gradient was added to gradients "
                   "left over from the previous call: zero the gradients once per call, before the first "
                   "micro-batch (or after the step), never between micro-batches")
