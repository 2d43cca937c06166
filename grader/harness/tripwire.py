"""The tripwire: notices learner code that replaced functions of torch or of the harness."""
from __future__ import annotations

import sys


class Tampered(BaseException):
    """Learner code replaced a function of torch or of the harness that grading relies on."""


class Tripwire:
    """Remembers what torch's and the harness's namespaces held before learner code ran."""

    def __init__(self, namespaces: dict[str, tuple[object, bool]]) -> None:
        self._namespaces = namespaces
        self._saved = {label: dict(vars(space)) for label, (space, _) in namespaces.items()}

    @classmethod
    def armed(cls, probe, context_type: type) -> "Tripwire":
        import builtins

        import torch
        import torch.nn.modules.loss
        import torch.nn.modules.module as module_hooks
        import torch.optim.optimizer as optimizer_hooks

        from grader.harness import probe as probe_module

        for optimizer in (torch.optim.SGD, torch.optim.Adam):  # the first instance wraps step()
            optimizer([torch.zeros(1, requires_grad=True)])
        harness = [module for name, module in sys.modules.items()
                   if name.startswith("grader.harness.") and module is not None]
        classes = [torch.Tensor, torch.nn.Parameter, torch.nn.Module, torch.nn.Linear,
                   torch.nn.modules.loss._Loss, torch.nn.MSELoss, torch.optim.Optimizer,
                   torch.optim.SGD, torch.optim.Adam, context_type]
        classes += [value for module in harness for value in vars(module).values()
                    if isinstance(value, type) and value.__module__ == module.__name__]
        modules = [torch.autograd, optimizer_hooks, module_hooks, torch.nn.functional, builtins,
                   probe_module, probe, *harness]
        spaces = {f"{c.__module__}.{c.__qualname__}": (c, True) for c in classes}
        spaces.update({m.__name__: (m, False) for m in modules})
        return cls(spaces)

    def changed(self) -> list[str]:
        """``module.name`` of every replaced entry (for classes, added overrides too)."""
        found = []
        for label, (space, strict) in self._namespaces.items():
            now, saved = vars(space), self._saved[label]
            found += [f"{label}.{k}" for k, v in saved.items() if now.get(k, Tampered) is not v]
            if strict:  # a new entry that shadows a base class's, like Tensor.item
                bases = space.__mro__[1:]
                found += [f"{label}.{k}" for k in now if k not in saved
                          and any(k in vars(base) for base in bases)]
        return found

    def check(self) -> None:
        changed = self.changed()
        if changed:
            more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
            raise Tampered(f"your code replaced {_public(changed[0])}{more}: the grader watches your "
                           "loop through PyTorch and its own harness, so an exercise that changes "
                           "them gets no points")


def _public(name: str) -> str:
    return name.replace("torch._tensor.Tensor", "torch.Tensor")
