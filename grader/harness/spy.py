"""LoopSpy: records what a training loop does, judged later by behaviour, not by spelling.

Inside the ``with LoopSpy(model) as spy:`` block every optimizer step, every backward pass, every
root-level module call and every loss call is appended to ``spy.events`` as a small dict, and
``spy.trace(model)`` keeps the events of the model under test: a backward that sent gradients into
its parameters, a step of an optimizer that holds them, a forward of a module that owns them (and
every loss call). Steps and backwards on any other tensor (a throw-away scalar with an optimizer of
its own) are not the learner's loop and do not count.

- ``{"kind": "backward", "accumulated": bool}``: ``accumulated`` is True when some parameter
  still held a non-zero gradient from before this backward (nothing cleared ``.grad``).
  A backward is seen through the gradient hooks of the parameters themselves, one event per
  autograd run (graph task), so every spelling counts: ``loss.backward()``,
  ``torch.autograd.backward(loss)``, ``from torch.autograd import backward``, ``closure`` steps.
- ``{"kind": "step", "closure": bool, "grads": "present" | "empty", "given": bool, "lr": float}`` and
  ``{"kind": "step_end"}``; ``given`` is False for a step of an optimizer other than the one
  handed in (``LoopSpy(model, optimizer=...)``): one the learner's code made itself.
- ``{"kind": "forward", "module": name, "training": bool, "grad": bool, "input_device": str,
  "param_device": str, "batch": int | None}`` for modules called from outside any module.
- ``{"kind": "loss", "module": name, "input_shape": [...], "target_shape": [...],
  "target_dtype": str, "sigmoid_before": bool}`` for loss modules.

Parameter gradient hooks run before the incoming gradient is added to ``.grad`` (measured on
torch 2.13-2.14), so "already non-zero" means "not cleared since the last backward" whether the
learner used ``optimizer.zero_grad()``, ``model.zero_grad()``, ``set_to_none`` or ``p.grad = None``.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.optim.optimizer as optimizer_module
from torch.nn.modules.loss import _Loss
from torch.overrides import TorchFunctionMode

_MARK = "_looplab_spied"


class LoopSpy:
    """Context manager that installs global hooks and records loop events.

    Parameters are watched (given a gradient hook) when they are handed in (``LoopSpy(model)``),
    registered on a module inside the block (a model the learner builds), owned by a module that
    runs forward, or held by an optimizer that steps.
    """

    def __init__(self, *watched: torch.nn.Module, optimizer: torch.optim.Optimizer | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self._handles: list[Any] = []
        self._depth = 0
        self._backward: dict[str, Any] | None = None
        self._task = -1
        self._token = object()
        self._serial = 0
        self._watched = watched
        self._given = optimizer  # the optimizer handed to the learner's function, if any

    def __enter__(self) -> "LoopSpy":
        optim, modules = optimizer_module, torch.nn.modules.module
        self._handles += [
            optim.register_optimizer_step_pre_hook(torch.compiler.disable(self._on_step, recursive=False)),
            optim.register_optimizer_step_post_hook(torch.compiler.disable(self._on_step_end, recursive=False)),
            modules.register_module_forward_pre_hook(self._on_forward_pre),
            modules.register_module_forward_hook(self._on_forward, always_call=True),
            modules.register_module_parameter_registration_hook(self._on_new_parameter),
        ]
        for module in self._watched:
            for parameter in torch.nn.Module.parameters(module):
                self._watch(parameter)
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event["kind"] == kind)

    def trace(self, *modules: Any) -> list[dict[str, Any]]:
        """The events of these modules' parameters (and every loss call), without the serials."""
        owned = {serial for module in modules for serial in self._serials_of(module)}
        kept = [event for event in self.events
                if event["kind"] in ("loss", "step_end") or owned.intersection(event.get("params", ()))]
        return [{k: v for k, v in event.items() if k != "params"} for event in kept]

    # -- hooks, in the order a training step meets them -------------------------------------

    def _on_new_parameter(self, module: torch.nn.Module, name: str, parameter: Any) -> None:
        if isinstance(parameter, torch.Tensor):
            self._watch(parameter)

    def _on_forward_pre(self, module: torch.nn.Module, args: tuple) -> None:
        if self._depth == 0:
            parameters = _parameters_of(module)
            for parameter in parameters:
                self._watch(parameter)
            self.events.append(self._describe_call(module, args, parameters))
        self._depth += 1

    def _on_forward(self, module: torch.nn.Module, args: tuple, output: Any) -> None:
        self._depth = max(0, self._depth - 1)

    def _on_grad(self, parameter: torch.Tensor, incoming: torch.Tensor) -> None:
        task = torch._C._current_graph_task_id()
        if self._backward is None or task != self._task:
            self._task = task
            self._backward = {"kind": "backward", "accumulated": False, "params": []}
            self.events.append(self._backward)
        self._backward["params"].append(getattr(parameter, _SERIAL))
        if _holds_gradient(parameter):
            self._backward["accumulated"] = True

    def _on_step(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        # args holds the optimizer itself first, then step's own arguments
        closure = (len(args) > 1 and args[1] is not None) or kwargs.get("closure") is not None
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for parameter in params:
            self._watch(parameter)
        present = any(_holds_gradient(p) for p in params)
        self._backward = None  # a backward after this step is a new one, even in the same task
        self.events.append({"kind": "step", "closure": closure,
                            "grads": "present" if present else "empty",
                            "given": self._given is None or optimizer is self._given,
                            "lr": _learning_rate(optimizer),
                            "params": [getattr(p, _SERIAL) for p in params if hasattr(p, _SERIAL)]})

    def _on_step_end(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        self._backward = None
        self.events.append({"kind": "step_end"})

    # -- helpers -----------------------------------------------------------------------------

    def _watch(self, parameter: torch.Tensor) -> None:
        # the mark names this spy: a parameter watched by an earlier, closed spy is watched again
        if parameter.requires_grad and getattr(parameter, _MARK, None) is not self._token:
            setattr(parameter, _MARK, self._token)
            self._serial += 1
            setattr(parameter, _SERIAL, self._serial)
            hook = torch.compiler.disable(lambda grad, p=parameter: self._on_grad(p, grad), recursive=False)
            self._handles.append(parameter.register_hook(hook))

    def _serials_of(self, module: Any) -> set[int]:
        if not isinstance(module, torch.nn.Module):
            return set()
        return {getattr(p, _SERIAL) for p in torch.nn.Module.parameters(module)
                if getattr(p, _MARK, None) is self._token}

    def _describe_call(self, module: torch.nn.Module, args: tuple,
                       parameters: list[torch.Tensor]) -> dict[str, Any]:
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if isinstance(module, _Loss):
            target = args[1] if len(args) > 1 and isinstance(args[1], torch.Tensor) else None
            return {
                "kind": "loss", "module": type(module).__name__,
                "input_shape": list(first.shape) if first is not None else None,
                "target_shape": list(target.shape) if target is not None else None,
                "target_dtype": str(target.dtype) if target is not None else None,
                "sigmoid_before": first is not None and _has_sigmoid(first.grad_fn),
            }
        return {
            "kind": "forward", "module": type(module).__name__,
            "training": module.training, "grad": torch.is_grad_enabled(),
            "input_device": str(first.device) if first is not None else None,
            "param_device": str(parameters[0].device) if parameters else None,
            "batch": int(first.shape[0]) if first is not None and first.dim() else None,
            "params": [getattr(p, _SERIAL) for p in parameters if getattr(p, _MARK, None) is self._token],
        }


_SERIAL = "_looplab_serial"


class TorchCalls(TorchFunctionMode):
    """Records which torch functions run inside the block, however torch was imported."""

    def __init__(self) -> None:
        super().__init__()
        self.called: dict[str, int] = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        self.called[name] = self.called.get(name, 0) + 1
        return func(*args, **(kwargs or {}))

    def names(self) -> list[str]:
        """The torch functions called, most called first."""
        return sorted(self.called, key=lambda name: -self.called[name])


def _learning_rate(optimizer: torch.optim.Optimizer) -> float | None:
    """The first parameter group's learning rate as a float (None where it is not a number)."""
    try:
        return float(optimizer.param_groups[0]["lr"])
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def _parameters_of(module: torch.nn.Module) -> list[torch.Tensor]:
    """``list(module.parameters())``, read straight from a leaf module (the common case: a
    Linear model, a loss) without the generator walk over submodules."""
    if not module._modules:
        return [parameter for parameter in module._parameters.values() if parameter is not None]
    return list(module.parameters())


def _holds_gradient(parameter: torch.Tensor) -> bool:
    grad = parameter.grad
    if grad is None or grad.device.type == "meta":
        return False
    return bool(torch.count_nonzero(grad).item() > 0)


def _has_sigmoid(grad_fn: Any, depth: int = 0) -> bool:
    """True when a sigmoid sits in the autograd chain just behind the loss input."""
    if grad_fn is None or depth > 6:
        return False
    if "Sigmoid" in type(grad_fn).__name__:
        return True
    return any(_has_sigmoid(parent, depth + 1) for parent, _ in grad_fn.next_functions)
