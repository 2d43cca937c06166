"""Hidden checks for exercise 10, gradient accumulation: micro-batches add up to one big-batch step.

Backward passes that accumulate into ``.grad`` within one step are the point here, so the trace is
judged per call (one step after all micro-batch backwards), not with loop_order's per-step rule.

Why these checks cannot be passed without the work: every grading draws, for each case, its own
batch size, micro-batch count (the batch never splits evenly: one case has chunks one sample apart,
the other a clearly shorter last chunk, and ``torch.chunk`` always gives exactly that many chunks),
learning rate, noise, data and start weights (``draw``). The expected weights and losses come from
the grader's own two full-batch SGD steps from the same start on the same batches; the draw is
rejected until both steps move the weights clearly and the plain mean of the micro-batch means
differs clearly from the full-batch mean, so unscaled, evenly weighted or uncleared accumulation
always fails, and the step and backward counts see only the model under test.
"""
from __future__ import annotations

import math
import random

import pytest
import torch
from torch import nn

from grader.harness.probes.ex10_grad_accumulation import batches, start_model
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_train_mode

EXERCISE = "ex10"


def draw(rng: random.Random) -> dict:
    """Two cases of 7-48 samples in 3-6 micro-batches that do not split evenly, lr 0.1-0.3."""
    return {"cases": [_case(rng, "uneven", short_tail=False), _case(rng, "short_tail", short_tail=True)]}


def _case(rng: random.Random, name: str, short_tail: bool) -> dict:
    """Drawn again until the chunks have the wanted shape and the replay shows every property judged."""
    while True:
        parts = rng.randrange(3, 7)
        case = {"name": name, "n": rng.randrange(2 * parts + 1, 49), "micro_batches": parts,
                "lr": rng.choice((0.1, 0.15, 0.2, 0.25, 0.3)), "noise": round(rng.uniform(0.05, 0.2), 3),
                "data_seed": seed_in(rng), "model_seed": seed_in(rng)}
        sizes = _chunk_sizes(case)
        shaped = len(sizes) == parts and (sizes[-1] <= sizes[0] - 2 if short_tail else sizes[-1] == sizes[0] - 1)
        if shaped and _replay_shows_the_point(case):
            return case


def _chunk_sizes(case: dict) -> list[int]:
    size = math.ceil(case["n"] / case["micro_batches"])
    return [min(size, case["n"] - start) for start in range(0, case["n"], size)]


def _replay_shows_the_point(case: dict) -> bool:
    """Each step moves some weight by > 1e-3; the first call's even mean of chunk means is > 1e-4 off."""
    calls, _ = _replay(case)
    first = calls[0]
    return (all(c["moved"] > 1e-3 and abs(c["after"] - c["loss"]) > 1e-4 for c in calls)
            and abs(first["unscaled"] / case["micro_batches"] - first["loss"]) > 1e-4)


def _replay(case: dict) -> tuple[list[dict], nn.Module]:
    """Two ordinary full-batch SGD steps from the same start: per call the loss before the step, the
    unscaled sum of the micro-batch mean losses, the loss after the step and how far the step moved
    the weights (largest change); and the final model."""
    model = start_model(case["model_seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=case["lr"])
    calls = []
    for x, y in batches(case):
        with torch.no_grad():
            parts = zip(torch.chunk(x, case["micro_batches"]), torch.chunk(y, case["micro_batches"]))
            unscaled = sum(nn.MSELoss()(model(xc), yc).item() for xc, yc in parts)
        loss = nn.MSELoss()(model(x), y)
        before = [p.detach().clone() for p in model.parameters()]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            after = nn.MSELoss()(model(x), y).item()
        moved = max((p.detach() - b).abs().max().item() for p, b in zip(model.parameters(), before))
        calls.append({"loss": loss.item(), "unscaled": unscaled, "after": after, "moved": moved})
    return calls, model


INPUTS = inputs_for(EXERCISE, draw)


def _call(case: dict) -> str:
    return f"accumulated_step(x of {case['n']} samples, micro_batches={case['micro_batches']})"


def _calls(observed, case: dict) -> list[dict]:
    return observed.scenario(case["name"], "accumulated_step")["calls"]


def _expect_same_weights(observed, case: dict) -> None:
    calls = _calls(observed, case)
    gap = _weight_gap(observed, case)
    expect(gap is not None, "the grader could not read the model's weights after accumulated_step()")
    expect(gap < 1e-5, f"after two calls of {_call(case)} the weights differ by up to {gap:.2e} from two "
                       f"ordinary full-batch SGD steps: {_what_went_wrong(calls)}")


def _weight_gap(observed, case: dict) -> float | None:
    """The largest difference between the learner's weights and the replay's; None if unreadable."""
    state, (_, reference) = observed.state(case["name"]), _replay(case)
    want = dict(reference.named_parameters())
    if set(state) != set(want):
        return None
    return max((state[name] - want[name].detach()).abs().max().item() for name in want)


def _weights_match(observed, case: dict) -> bool:
    gap = _weight_gap(observed, case)
    return gap is not None and gap < 1e-5


def _what_went_wrong(calls: list[dict]) -> str:
    """The cause the trace shows, else the rule the weights break."""
    for call in calls:
        backwards = [event for event in call["events"] if event["kind"] == "backward"]
        if any(not event["accumulated"] for event in backwards[1:]):
            return ("the gradients were cleared between micro-batches (a backward found .grad empty after the "
                    "first one), so the step used only the last chunk's: zero_grad once per call, before the "
                    "first micro-batch")
    return ("scale each micro-batch's mean loss by len(chunk) / len(x) before backward, so the gradients add up "
            "to the full batch's, and step once per call, from gradients cleared since the previous call")


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
        calls = list(zip(_calls(observed, case), want))
        if not _weights_match(observed, case):  # a wrong first step changes what call 2 starts from
            calls = calls[:1]
        for number, (call, expected) in enumerate(calls, start=1):
            expect(call["loss"] is not None,
                   f"{_call(case)} returned a {call['loss_type']}, expected a Python float")
            got = call["loss"]
            expect(abs(got - expected["loss"]) < 1e-5,
                   f"call {number} of {_call(case)} returned {got:.5f}{_loss_relation(got, expected, case)}, "
                   f"about {abs(got - expected['loss']):.0e} away from the full batch's mean loss before the "
                   "step: return the sum of the scaled micro-batch losses (.item() of each)")


def _loss_relation(got: float, expected: dict, case: dict) -> str:
    """What a wrong returned loss is, when it is one of the usual mistakes."""
    if abs(got - expected["unscaled"]) < 1e-5:
        return " (that is the sum of the micro-batch mean losses, unscaled)"
    if abs(got - expected["unscaled"] / case["micro_batches"]) < 1e-5:
        return (f" (that is the plain mean of the {case['micro_batches']} micro-batch means, which weighs a "
                "short chunk like a full one)")
    if abs(got - expected["after"]) < 1e-5:
        return " (that is the loss after the step)"
    return ""


@pytest.mark.points(4)
def test_one_step_after_all_micro_batch_backwards(observed):
    """Each call runs, in train mode, one forward and backward per micro-batch, then exactly one optimizer step."""
    for case in INPUTS["cases"]:
        parts = case["micro_batches"]
        for call in _calls(observed, case):
            kinds = [e["kind"] for e in call["events"]]
            forwards = [e["batch"] for e in call["events"] if e["kind"] == "forward" and e["grad"]]
            steps, backwards = kinds.count("step"), kinds.count("backward")
            expect(steps == 1, f"{_call(case)} called optimizer.step() {steps} times, expected once, after all "
                               f"{parts} micro-batches: the point is one step for the whole batch")
            expect(backwards == parts and len(forwards) == parts and sum(forwards) == case["n"],
                   f"{_call(case)} ran {len(forwards)} forwards with autograd on {forwards} samples and {backwards} "
                   f"backwards, expected {parts} micro-batches covering all {case['n']} samples, "
                   f"each with its own backward")
            expect(kinds.index("step") > max(i for i, kind in enumerate(kinds) if kind == "backward"),
                   f"{_call(case)} stepped before the last micro-batch's backward: step once, after all of them")
            expect_train_mode(call["events"], _call(case))


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
