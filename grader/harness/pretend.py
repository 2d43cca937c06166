"""A pretended machine: every public way of asking which accelerators exist gives the same answer.

``pick_device("auto")`` must be judged on machines the grader does not have. Patching
``torch.cuda.is_available`` alone is not enough: a learner may ask ``torch.cuda.device_count()``,
``torch.backends.mps.is_built()``, ``torch.accelerator``, or call a name imported before the patch
(``from torch.cuda import is_available``). Inside ``pretended(cuda, mps, module)`` all of them
agree, including the learner module's own aliases of those functions.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator
from unittest import mock

import torch


def _answers(cuda: bool, mps: bool) -> dict[tuple[object, str], object]:
    """(owner, attribute) -> the pretended function."""
    accelerator = "cuda" if cuda else "mps" if mps else None
    answers = {
        (torch.cuda, "is_available"): lambda: cuda,
        (torch.cuda, "device_count"): lambda: 1 if cuda else 0,
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
