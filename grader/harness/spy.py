"""LoopSpy: records what a training loop does, judged later by behaviour, not by spelling.

Inside the ``with LoopSpy() as spy:`` block every optimizer step, every backward pass, every
root-level module call and every loss call is appended to ``spy.events`` as a small dict:

- ``{"kind": "backward", "accumulated": bool}``: ``accumulated`` is True when some parameter
  still held a non-zero gradient from before this backward (nothing cleared ``.grad``).
- ``{"kind": "step", "closure": bool, "grads": "present" | "empty"}`` and ``{"kind": "step_end"}``.
- ``{"kind": "forward", "module": name, "training": bool, "grad": bool, "input_device": str,
  "param_device": str, "batch": int | None}`` for modules called from outside any module.
- ``{"kind": "loss", "module": name, "input_shape": [...], "target_shape": [...],
  "target_dtype": str, "sigmoid_before": bool}`` for loss modules.

Parameter gradient hooks run before the incoming gradient is added to ``.grad`` (see
shared/notes), so "already non-zero" means "not cleared since the last backward" whether the
learner used ``optimizer.zero_grad()``, ``model.zero_grad()``, ``set_to_none`` or ``p.grad = None``.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.optim.optimizer as optimizer_module
from torch.nn.modules.loss import _Loss

_MARK = "_looplab_spied"


class LoopSpy:
    """Context manager that installs global hooks and records loop events."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._handles: list[Any] = []
        self._depth = 0
        self._backward: dict[str, Any] | None = None
        self._original_backward = None
        self._token = object()

    def __enter__(self) -> "LoopSpy":
        optim = optimizer_module
        self._handles += [
            optim.register_optimizer_step_pre_hook(torch.compiler.disable(self._on_step)),
            optim.register_optimizer_step_post_hook(torch.compiler.disable(self._on_step_end)),
            torch.nn.modules.module.register_module_forward_pre_hook(self._on_forward_pre),
            torch.nn.modules.module.register_module_forward_hook(self._on_forward, always_call=True),
        ]
        self._original_backward = torch.autograd.backward
        torch.autograd.backward = self._backward_wrapper
        return self

    def __exit__(self, *exc_info) -> None:
        torch.autograd.backward = self._original_backward
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event["kind"] == kind)

    # -- hooks, in the order a training step meets them -------------------------------------

    def _on_forward_pre(self, module: torch.nn.Module, args: tuple) -> None:
        self._watch_parameters(module)
        if self._depth == 0:
            self.events.append(self._describe_call(module, args))
        self._depth += 1

    def _on_forward(self, module: torch.nn.Module, args: tuple, output: Any) -> None:
        self._depth = max(0, self._depth - 1)

    def _backward_wrapper(self, *args: Any, **kwargs: Any) -> Any:
        self._backward = {"kind": "backward", "accumulated": False}
        try:
            return self._original_backward(*args, **kwargs)
        finally:
            self.events.append(self._backward)
            self._backward = None

    def _on_grad(self, parameter: torch.Tensor, incoming: torch.Tensor) -> None:
        if self._backward is not None and _holds_gradient(parameter):
            self._backward["accumulated"] = True

    def _on_step(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        # args holds the optimizer itself first, then step's own arguments
        closure = (len(args) > 1 and args[1] is not None) or kwargs.get("closure") is not None
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for parameter in params:
            self._watch(parameter)
        present = any(_holds_gradient(p) for p in params)
        self.events.append({"kind": "step", "closure": closure,
                            "grads": "present" if present else "empty"})

    def _on_step_end(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        self.events.append({"kind": "step_end"})

    # -- helpers -----------------------------------------------------------------------------

    def _watch_parameters(self, module: torch.nn.Module) -> None:
        for parameter in module.parameters(recurse=False):
            self._watch(parameter)

    def _watch(self, parameter: torch.Tensor) -> None:
        # the mark names this spy: a parameter watched by an earlier, closed spy is watched again
        if parameter.requires_grad and getattr(parameter, _MARK, None) is not self._token:
            setattr(parameter, _MARK, self._token)
            hook = torch.compiler.disable(lambda grad, p=parameter: self._on_grad(p, grad))
            self._handles.append(parameter.register_hook(hook))

    def _describe_call(self, module: torch.nn.Module, args: tuple) -> dict[str, Any]:
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
        parameter = next(module.parameters(), None)
        return {
            "kind": "forward", "module": type(module).__name__,
            "training": module.training, "grad": torch.is_grad_enabled(),
            "input_device": str(first.device) if first is not None else None,
            "param_device": str(parameter.device) if parameter is not None else None,
            "batch": int(first.shape[0]) if first is not None and first.dim() else None,
        }


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
