"""What hidden checks use to judge plain observations: a learner-facing failure and helpers."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from grader.launch.child_outcome import ChildOutcome
from grader.grading.loop_order import Position, order_problems


class CheckFailed(AssertionError):
    """A check failed; the message is written for the learner."""


def expect(condition: bool, message: str) -> None:
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def near(value: float | None, target: float, tolerance: float) -> bool:
    return value is not None and math.isfinite(value) and abs(value - target) <= tolerance


@dataclass
class Observed:
    """The child's outcome for one exercise, read scenario by scenario."""

    function_owner: str
    outcome: ChildOutcome

    def scenario(self, name: str, function: str | None = None) -> dict:
        """The record of one scenario; fails the check if the child or the scenario failed."""
        self.require_run()
        record = self.outcome.observations.get(name)
        expect(isinstance(record, dict), f"no result was recorded for {function or name}()")
        error = record.get("error")
        expect(error is None, f"calling {function or name}() raised {error}")
        return record

    def require_run(self) -> None:
        outcome = self.outcome
        expect(outcome.status != "import_error", outcome.message)
        expect(outcome.status in ("ok", "probe_error"), outcome.message or "no result came back")

    def tensor(self, name: str) -> torch.Tensor:
        tensor = self.outcome.tensors.get(name)
        expect(tensor is not None, f"the grader could not read back {name}")
        return tensor

    def state(self, prefix: str) -> dict[str, torch.Tensor]:
        """The saved parameters ``prefix.weight``, ``prefix.bias``... as a state dict."""
        start = prefix + "."
        return {k[len(start):]: v for k, v in self.outcome.tensors.items() if k.startswith(start)}


def expect_call_order(events: list[dict], position: Position = Position(), weights_match: bool = False) -> None:
    """No call-order problem in the trace. When the weights equal the grader's replay of the
    correct loop from the same start, a problem in the trace is a call the spy did not see (a
    spelling it missed), not the learner's: it is not reported against weights that contradict it."""
    problems = order_problems(events, position)
    expect(not problems or weights_match, problems[0] if problems else "")


def expect_train_mode(events: list[dict], call: str) -> None:
    """Every forward pass that trains ran in train mode. The probes hand training functions a model
    in eval mode (as after an evaluation), so a function that never calls model.train() shows here."""
    forwards = [event for event in events if event["kind"] == "forward" and event["grad"]]
    in_eval = sum(not event["training"] for event in forwards)
    expect(in_eval == 0, f"{call}: {in_eval} of {len(forwards)} training forward passes ran in eval mode (the "
                         "model came in eval mode, as after an evaluation): call model.train() before training")


def expect_epoch_losses(got: list[float], want: list[float], why: str, prefix: str = "",
                        tolerance: float = 1e-5) -> None:
    """Each epoch's loss equals the grader's own; the first epoch off fails with ``why``."""
    for epoch, (value, expected) in enumerate(zip(got, want), start=1):
        expect(abs(value - expected) < tolerance,
               f"{prefix}epoch {epoch} loss is {value:.5f}, expected {expected:.5f}: {why}")


def losses_of(record: dict, function: str, expected_length: int | None = None) -> list[float]:
    """The list of losses a function returned, or a failure that says what was wrong with it."""
    described = record.get("losses") or {}
    kind = described.get("type")
    expect(kind in ("list", "tuple"), f"{function}() returned a {kind}, expected a list of floats")
    elements = described.get("element_types") or []
    expect(described.get("values") is not None,
           f"{function}() returned losses of type {', '.join(elements)}: store loss.item(), "
           "a plain float, not the loss tensor (tensors keep the whole graph alive)")
    found = described["values"]
    if expected_length is not None:
        expect(len(found) == expected_length,
               f"{function}() returned {len(found)} losses, expected {expected_length} (one per epoch)")
    return found
