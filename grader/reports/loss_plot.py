"""A learner's per-epoch loss beside the reference loop's on the same data, as a PNG (matplotlib, Agg).

The numbers drawn are written into the PNG's metadata (``looplab-losses``, JSON) so tests and
tools can read the picture's data back. They are rounded to three significant digits of the
curve's largest value: enough to draw, never close enough for a resubmission to paste and pass a
check that compares losses (the checks allow 1e-5).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

METADATA_KEY = "looplab-losses"


def coarse(values: list[float] | None, scale: float) -> list[float] | None:
    """``values`` rounded to a grid of a thousandth of ``scale`` (at least 0.001)."""
    if values is None:
        return None
    step = max(10 ** (math.floor(math.log10(scale)) - 2) if scale > 0 else 0.001, 0.001)
    return [round(round(value / step) * step, 6) for value in values]


def write_png(path: Path, title: str, yours: list[float], reference: list[float] | None) -> dict:
    """Draw both curves into ``path``; returns the (rounded) numbers drawn, as stored in the metadata."""
    scale = max(abs(value) for value in [*yours, *(reference or [])])
    drawn = {"title": title, "yours": coarse(yours, scale), "reference": coarse(reference, scale)}
    figure = Figure(figsize=(5, 3), dpi=100)
    axes = figure.add_subplot()
    epochs = range(1, len(yours) + 1)
    axes.plot(epochs, drawn["yours"], marker="o", label="your loss")
    if reference:
        axes.plot(range(1, len(reference) + 1), drawn["reference"], marker=".", linestyle="--",
                  label="reference loop, same data")
    axes.set(title=title, xlabel="epoch", ylabel="loss")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata={METADATA_KEY: json.dumps(drawn)})
    return drawn


def read_numbers(path: Path) -> dict:
    """The numbers a PNG written by ``write_png`` holds in its metadata."""
    from PIL import Image

    with Image.open(path) as image:
        return json.loads(image.text[METADATA_KEY])
