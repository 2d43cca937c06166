"""Turn whatever learner code returned into plain, JSON-safe data, without trusting it.

Learner objects are never handed to the parent. Only exact built-in types are accepted as
numbers (a float subclass or an object whose ``__eq__`` always says True is reported by its
type name), and tensors are copied out element by element through ``torch.Tensor.tolist`` of a
fresh detached clone.
"""
from __future__ import annotations

import math
from typing import Any

import torch


def type_name(value: Any) -> str:
    """The learner-facing name of a value's type: ``float``, ``Tensor``, ``list``..."""
    return type(value).__name__


def as_float(value: Any) -> float | None:
    """The value as a float if it is exactly an int or float (not a bool), else None."""
    if type(value) in (int, float):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def as_float_list(value: Any) -> list[float] | None:
    """A list of exact floats, or None when any element is not a plain number."""
    if type(value) not in (list, tuple):
        return None
    numbers = [as_float(item) for item in value]
    return None if any(item is None for item in numbers) else numbers


def describe_list(value: Any) -> dict:
    """What a returned sequence of losses is made of: length, element types, numbers if plain."""
    if type(value) not in (list, tuple):
        return {"type": type_name(value)}
    return {
        "type": type_name(value),
        "length": len(value),
        "element_types": sorted({type_name(item) for item in value}),
        "values": as_float_list(value),
    }


def safe_tensor(value: Any) -> torch.Tensor | None:
    """A detached CPU float copy of an exact torch.Tensor (subclasses refused), else None."""
    if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
        return None
    if value.device.type == "meta":
        return None
    return torch.Tensor.clone(torch.Tensor.detach(value)).to("cpu")


def state_tensors(module: Any) -> dict[str, torch.Tensor] | None:
    """The parameters of an ``nn.Module`` as detached CPU copies, or None for anything else."""
    if not isinstance(module, torch.nn.Module):
        return None
    out = {}
    for name, parameter in torch.nn.Module.named_parameters(module):
        copied = safe_tensor(parameter)
        if copied is None:
            return None
        out[name] = copied
    return out
