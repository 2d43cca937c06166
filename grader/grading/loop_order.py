"""Judge a spy's event trace: the order of backward, gradient clearing and optimizer steps.

Correct loops of every spelling pass: zero_grad at the top or after step, ``model.zero_grad()``,
``set_to_none`` either way, ``p.grad = None``, any optimizer, clipping, schedulers, and closure
optimizers such as LBFGS (whose backward runs inside ``step``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """Where in the loop a step happened, for messages: epoch and batch, 1-based."""

    steps_per_epoch: int | None = None

    def of(self, step: int) -> str:
        if not self.steps_per_epoch:
            return f"step {step}"
        epoch, batch = divmod(step - 1, self.steps_per_epoch)
        return f"epoch {epoch + 1}, batch {batch + 1}"


def order_problems(events: list[dict], position: Position = Position()) -> list[str]:
    """Every ordering problem in the trace, first one first; empty for a correct loop."""
    problems: list[tuple[str, str]] = []
    backwards, step, in_closure_step = 0, 0, False
    for event in events:
        kind = event.get("kind")
        if kind == "backward" and not in_closure_step:
            backwards += 1
            # a second backward in the same step is reported as a double backward instead
            if event.get("accumulated") and backwards == 1:
                problems.append((
                    "accumulated", f"gradients accumulated across steps: nothing cleared .grad before backward in "
                    f"{position.of(step + 1)}: zero the gradients each step"))
        elif kind == "step":
            step += 1
            in_closure_step = bool(event.get("closure"))
            if event.get("given") is False:
                problems.append(("own_optimizer", f"optimizer.step() in {position.of(step)} belongs to an optimizer "
                                 "your code made itself, not the one it was given: train with the optimizer passed "
                                 "in (its learning rate, momentum and state are the caller's choice)"))
            if not in_closure_step:
                problems.extend(_judge_step(event, backwards, position.of(step)))
            backwards = 0
        elif kind == "step_end":
            in_closure_step = False
    if backwards and step == 0:
        problems.append(("no_step", "optimizer.step() never ran: loss.backward() computed "
                                    "gradients but no step used them"))
    return _first_of_each_kind(problems)


def _judge_step(event: dict, backwards: int, where: str) -> list[tuple[str, str]]:
    if backwards == 0:
        return [("step_first", f"optimizer.step() ran before loss.backward() in {where}: "
                               "step must come after backward")]
    if event.get("grads") == "empty":
        return [("cleared", f"the gradients were cleared between loss.backward() and optimizer.step() in "
                f"{where}: zero_grad must come before backward (or after step), never between")]
    if backwards > 1:
        return [("double", f"loss.backward() ran {backwards} times before optimizer.step() in {where}: "
                "call backward once per step")]
    return []


def _first_of_each_kind(problems: list[tuple[str, str]]) -> list[str]:
    seen, kept = set(), []
    for kind, message in problems:
        if kind not in seen:
            seen.add(kind)
            kept.append(message)
    return kept


def count(events: list[dict], kind: str) -> int:
    return sum(1 for event in events if event.get("kind") == kind)
