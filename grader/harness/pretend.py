"""A pretended machine: every public way of asking which accelerators exist gives the same answer.

``pick_device("auto")`` must be judged on machines the grader does not have. Patching
``torch.cuda.is_available`` alone is not enough: a learner may ask ``torch.cuda.device_count()``,
``torch.backends.mps.is_built()``, ``torch.accelerator``, or call a name imported before the patch
(``from torch.cuda import is_available``), or keep an answer computed at import
(``USE_CUDA = torch.cuda.is_available()``). Inside ``pretended(cuda, mps, module)`` all of them
agree, including the learner module's own aliases of those functions; ``imported_under`` loads
the learner's module afresh on the pretended machine, so answers kept at import agree too.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator
from unittest import mock

import torch


def _answers(cuda: bool, mps: bool) -> dict[tuple[object, str], object]:
    """(owner, attribute) -> the pretended function."""
    accelerator = "cuda" if cuda else "mps" if mps else None
    answers = {
        (torch.cuda, "is_available"): lambda: cuda,
        (torch.cuda, "device_count"): lambda: 1 if cuda else 0,
        (torch.cuda, "get_device_name"): lambda *a, **k: "pretended GPU" if cuda else _no_gpu(),
        (torch.cuda, "current_device"): lambda: 0 if cuda else _no_gpu(),
        (torch.backends.mps, "is_available"): lambda: mps,
        (torch.backends.mps, "is_built"): lambda: mps,
    }
    if hasattr(torch, "accelerator"):
        answers[(torch.accelerator, "is_available")] = lambda *a, **k: accelerator is not None
        answers[(torch.accelerator, "device_count")] = lambda: 1 if accelerator else 0
        answers[(torch.accelerator, "current_accelerator")] = \
            lambda *a, **k: torch.device(accelerator) if accelerator else None
    return answers


@contextmanager
def pretended(cuda: bool, mps: bool, module: object = None) -> Iterator[None]:
    """Pretend a machine with (or without) CUDA and MPS, for torch and for ``module``'s aliases."""
    answers = _answers(cuda, mps)
    originals = {id(getattr(owner, name)): fake for (owner, name), fake in answers.items()
                 if hasattr(owner, name)}
    with ExitStack() as stack:
        for (owner, name), fake in answers.items():
            if hasattr(owner, name):
                stack.enter_context(mock.patch.object(owner, name, fake))
        for name, value in list(vars(module).items()) if module is not None else ():
            if id(value) in originals:
                stack.enter_context(mock.patch.object(module, name, originals[id(value)]))
        yield


def _no_gpu():
    raise RuntimeError("Found no NVIDIA driver on your system (the grader pretended a machine without one)")


def imported_under(path, cuda: bool, mps: bool):
    """The learner's module loaded afresh, as on a machine with (or without) CUDA and MPS; call it
    inside ``pretended(cuda, mps, module)`` as well. A module that fails to load again: None."""
    import importlib.util
    import sys

    name = f"{Path(path).stem}_on_pretended_machine"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    with pretended(cuda, mps):
        try:
            spec.loader.exec_module(module)
        except Exception:  # noqa: BLE001 - the learner's own import already succeeded once
            return None
    sys.modules.pop(name, None)
    return module
