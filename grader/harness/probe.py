"""The context a probe runs learner functions in: scenarios, recorded values and tensors."""
from __future__ import annotations

import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import torch


class ProbeContext:
    """Collects what each scenario observed; one failing scenario never stops the others."""

    def __init__(self, learner_file: Path, device: str, inputs: dict) -> None:
        self.learner_file = learner_file
        self.device = torch.device(device)
        self.inputs = inputs
        self.observations: dict[str, dict] = {}
        self.tensors: dict[str, torch.Tensor] = {}

    @contextmanager
    def scenario(self, name: str) -> Iterator[dict]:
        """Run one scenario; its record gets an ``error`` entry if learner code raised."""
        record: dict[str, Any] = {}
        self.observations[name] = record
        try:
            yield record
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            record["error"] = self.describe(error)

    def save(self, name: str, tensor: torch.Tensor | None) -> None:
        """Keep a tensor for the parent (already a safe detached copy, or None to skip)."""
        if tensor is not None:
            self.tensors[name] = tensor

    def save_state(self, prefix: str, state: dict[str, torch.Tensor] | None) -> None:
        for name, tensor in (state or {}).items():
            self.save(f"{prefix}.{name}", tensor)

    def describe(self, error: BaseException) -> str:
        """``TypeError: message (line 23 of your file: `x = ...`)``."""
        if isinstance(error, NotImplementedError):
            said = _short(str(error))
            return "NotImplementedError: it is not implemented yet" + (f" ({said})" if said else "")
        text = f"{type(error).__name__}: {_short(str(error))}"
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if Path(f.filename).resolve() == self.learner_file.resolve()]
        if frames:
            text += f" (line {frames[-1].lineno} of your file: `{frames[-1].line}`)"
        return text


def _short(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."
