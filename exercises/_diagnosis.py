"""The grader's own diagnosis, run by the visible tests on visible data.

Only the grader's inputs are secret, not its rules: the visible tests run your functions inside
the grader's loop spy (``grader.harness.spy.LoopSpy``, which records every forward, loss,
backward and optimizer step that reaches the model) and judge the recorded calls with the
grader's call-order judge (``grader.grading.loop_order``). A mistake is named here in the grader's words,
"gradients accumulated across steps: nothing cleared .grad before backward in step 2", instead
of by its symptom, a weight that ends up off.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from grader.harness.spy import LoopSpy, TorchCalls
from grader.grading.loop_order import Position, count, order_problems

__all__ = ["Watched", "count", "first_order_problem", "torch_functions_called", "torch_names", "watched",
           "watched_new_model"]


class Watched:
    """What one call did to ``model``: the value it returned and the spy's trace of the calls."""

    def __init__(self, returned: Any, events: list[dict]) -> None:
        self.returned = returned
        self.events = events

    def count(self, kind: str) -> int:
        """How many events of this kind ("forward", "loss", "backward", "step") reached the model."""
        return count(self.events, kind)

    def of(self, kind: str) -> list[dict]:
        return [event for event in self.events if event["kind"] == kind]


def watched(model: torch.nn.Module, function: Callable, *args: Any,
            optimizer: torch.optim.Optimizer | None = None, **kwargs: Any) -> Watched:
    """Call ``function(*args, **kwargs)`` under the grader's spy, watching ``model`` (and noting
    which steps belong to ``optimizer``, the one handed in)."""
    with LoopSpy(model, optimizer=optimizer) as spy:
        returned = function(*args, **kwargs)
    return Watched(returned, spy.trace(model))


def watched_new_model(function: Callable, *args: Any, **kwargs: Any) -> Watched:
    """Like ``watched`` for a function that builds its own model and returns ``(model, ...)``."""
    with LoopSpy() as spy:
        returned = function(*args, **kwargs)
    model = returned[0] if isinstance(returned, (tuple, list)) and returned else None
    return Watched(returned, spy.trace(model))


def first_order_problem(run: Watched, steps_per_epoch: int | None = None, weights_match: bool = False) -> str:
    """The grader's sentence for the first call-order problem in ``run``, or "" for a sound loop.

    As in the grader, when the weights equal the reference loop's from the same start, a problem
    in the trace is a call the spy did not see (a spelling it missed), not a mistake: pass
    ``weights_match=True`` to say so."""
    problems = order_problems(run.events, Position(steps_per_epoch))
    return problems[0] if problems and not weights_match else ""


def torch_functions_called(function: Callable, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """(what ``function`` returned, the torch functions it called, most called first)."""
    with TorchCalls() as calls:
        returned = function(*args, **kwargs)
    return returned, calls.names()


def torch_names(module: Any) -> list[str]:
    """The names in ``module`` that come from PyTorch (``torch``, ``nn``, ``tensor``...)."""
    return sorted(name for name, value in vars(module).items() if _from_torch(value))


def _from_torch(value: Any) -> bool:
    owner = value.__name__ if isinstance(value, type(torch)) else getattr(value, "__module__", None)
    return isinstance(owner, str) and owner.split(".")[0] == "torch"
