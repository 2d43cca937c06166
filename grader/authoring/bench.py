"""``looplab bench``: the kit's speed figures in one run, as a Markdown table.

Four measurements, each a pair of wall times and their ratio, against the kit's targets:

1. MNIST: the reference ``train_mnist`` (the shuffling DataLoader loop a learner writes) on
   looplab's ``InMemoryMNIST`` against the same loop on torchvision's ``MNIST`` + ``ToTensor``, and
   against a whole-tensor loop without a DataLoader (the floor).
2. Grading ``solutions/`` and a learner-style submission with the hidden suites (``python -m grader.grading.worker``) against a bare run
   (one process that runs each exercise's probe in-process with the suite's inputs).
3. ``grade_all`` on N learner-style submissions (built from the correct catalog's cases,
   ``grader/authoring/learner_style.py``, every exercise) with 1 worker against 2 workers, and
   isolated (the default sandbox) against unisolated (``--sandbox none``); and a class of 300
   projected from the 2 workers' measured pace.
4. One epoch of an MNIST-sized loop with and without ``LoopSpy``.

Each grading row is also measured with the zygote switched off, to show what it saves. The
``quick`` mode shrinks every measurement (for the test suite); its figures are not the targets'.
"""
from __future__ import annotations

import datetime
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import torch

from grader.authoring.bench_grading import batch_rows, grading_rows
from grader.authoring.bench_rows import BenchOptions, Row
from grader.authoring.bench_training import mnist_rows, spy_rows


# -- the run and its table -------------------------------------------------------------------

def run_all(options: BenchOptions, progress: Callable[[str], None] = lambda s: None) -> list[Row]:
    devices = ["cpu"] + (["cuda"] if options.device == "cuda" else [])
    rows: list[Row] = []
    scratch = Path(tempfile.mkdtemp(prefix="looplab-bench-"))
    try:
        for device in devices:
            if device == "cuda" and not torch.cuda.is_available():
                rows.append(Row("CUDA rows", "-", None, "-", None,
                                note="skipped: torch.cuda.is_available() is False here"))
                continue
            progress(f"measuring MNIST ({device})...")
            rows += mnist_rows(options, device)
            progress(f"measuring grading ({device})...")
            rows += grading_rows(options, device, scratch)
            progress(f"measuring grade_all ({device})...")
            rows += batch_rows(options, device, scratch)
            progress(f"measuring the spy ({device})...")
            rows += spy_rows(options, device)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def render(rows: list[Row], judged: bool = True) -> str:
    """The Markdown table; ``judged=False`` (quick mode) leaves the "met" column empty."""
    lines = ["| measurement | baseline | s | candidate | s | ratio | target | met | notes |",
             "|---|---|---:|---|---:|---:|---|---|---|"]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio else "-"
        lines.append(f"| {row.name} | {row.baseline} | {_seconds(row.baseline_s)} | "
                     f"{row.candidate} | {_seconds(row.candidate_s)} | {ratio} | {row.target} | "
                     f"{row.met if judged else 'n/a'} | {row.note} |")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (f"- date: {datetime.date.today().isoformat()}\n- nproc: {os.cpu_count()}\n"
            f"- CPU: {model}\n- GPU: {gpu}\n- torch {torch.__version__}, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}\n"
            f"- load average at the end of the run (1/5/15 min): "
            f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}: above nproc means other jobs "
            "shared the cores and every figure is inflated")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
