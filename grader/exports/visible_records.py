"""Record the numbers the visible tests compare learner code with (``exercises/_reference.py``).

The learner bundle ships recorded numbers, never a training loop: a loop there would be most of
the answer to exercises 3, 4 and 9. This module holds that loop on the grader side, runs it on
the fixed data and start weights of ``exercises/_reference.py`` and renders its ``RECORDED``
block; ``python -m grader.exports.visible_records`` rewrites the block, and a kit test fails when the
recorded numbers and this loop disagree.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import torch
from torch import nn

from grader.grading import replay
from grader.paths import EXERCISES_DIR

REFERENCE_FILE = EXERCISES_DIR / "_reference.py"
_BLOCK = re.compile(r"^RECORDED = \{.*?^\}\n", re.MULTILINE | re.DOTALL)


def reference_run(model: nn.Module, loss_fn: nn.Module, x: torch.Tensor, y: torch.Tensor,
                  batch_size: int, epochs: int, lr: float = 0.1) -> list[float]:
    """SGD over batches taken in order; each epoch's loss averaged by sample count."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return replay.train_epochs(model, loss_fn, optimizer, replay.batches_of(x, y, batch_size), epochs)


def record(reference: ModuleType) -> dict:
    """The RECORDED block for the data and start weights of ``reference``."""
    def run(data, loss_fn, batch_size, epochs):
        model = reference.start_model()
        losses = reference_run(model, loss_fn, *data, batch_size=batch_size, epochs=epochs)
        return losses, reference.weights_of(model)

    batches, weights = run(reference.line_data(), nn.MSELoss(), 4, 3)
    labelled, _ = run(reference.label_data(), nn.BCEWithLogitsLoss(), 4, 3)
    _, one_step = run(reference.line_data(), nn.MSELoss(), 10, 1)
    long_run, _ = run(reference.line_data(), nn.MSELoss(), 10, 20)
    return {"mse_batches_of_4_for_3_epochs": {"losses": batches, "weights": weights},
            "bce_batches_of_4_for_3_epochs": {"losses": labelled},
            "mse_full_batch_for_1_epoch": {"weights": one_step},
            "mse_full_batch_for_20_epochs": {"last_loss": long_run[-1]}}


def load_reference(path: Path = REFERENCE_FILE) -> ModuleType:
    spec = importlib.util.spec_from_file_location("_looplab_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(recorded: dict) -> str:
    """The block as Python source: one line per case and quantity."""
    lines = ["RECORDED = {"]
    for case, values in recorded.items():
        lines.append(f"    {json.dumps(case)}: {{")
        lines += [f"        {json.dumps(name)}: {value!r}," for name, value in values.items()]
        lines.append("    },")
    return "\n".join(lines + ["}"]) + "\n"


def rewrite(path: Path = REFERENCE_FILE) -> None:
    """Replace the RECORDED block of ``path`` with freshly recorded numbers."""
    block = render(record(load_reference(path)))
    text, count = _BLOCK.subn(lambda _: block, path.read_text())
    if count != 1:
        raise RuntimeError(f"{path} has no RECORDED = {{...}} block to rewrite")
    path.write_text(text)


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE_FILE)
