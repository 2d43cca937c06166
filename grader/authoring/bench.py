"""``looplab bench``: the kit's speed figures in one run, as a Markdown table.

Four measurements, each a pair of wall times and their ratio, against the kit's targets:

1. MNIST: the reference ``train_mnist`` (the shuffling DataLoader loop a learner writes) on
   looplab's ``InMemoryMNIST`` against the same loop on torchvision's ``MNIST`` + ``ToTensor``, and
   against a whole-tensor loop without a DataLoader (the floor).
2. Grading ``solutions/`` and a learner-style submission with the hidden suites (``python -m grader.grading.worker``) against a bare run
   (one process that runs each exercise's probe in-process with the suite's inputs).
3. ``grade_all`` on N learner-style submissions (built from the correct catalog's cases,
   ``grader/authoring/learner_style.py``) with 1 worker against 2 workers, and isolated (the
   default sandbox) against unisolated (``--sandbox none``); and a class of 300 projected from a
   learner-style submission's full grading time and the 2-worker speed-up.
4. One epoch of an MNIST-sized loop with and without ``LoopSpy``.

Each grading row is also measured with the zygote switched off, to show what it saves. The
``quick`` mode shrinks every measurement (for the test suite); its figures are not the targets'.
"""
from __future__ import annotations

import datetime
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from grader.authoring.learner_style import write_learner_submissions
from grader.curriculum import CURRICULUM, exercise
from grader.grading.hidden_suite import suite_file
from grader.paths import REPO_ROOT, SOLUTIONS_DIR
from grader.results import SubmissionResult
from grader.launch.sandbox import resolve


@dataclass
class Row:
    """One measurement: a baseline and a candidate wall time, and what the ratio must reach."""

    name: str
    baseline: str
    baseline_s: float | None
    candidate: str
    candidate_s: float | None
    target: str = ""
    check: Callable[[float], bool] | None = field(default=None, repr=False)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_s or not self.candidate_s:
            return None
        return self.baseline_s / self.candidate_s

    @property
    def met(self) -> str:
        if self.check is None or self.ratio is None:
            return "-"
        return "yes" if self.check(self.ratio) else "NO"


@dataclass(frozen=True)
class BenchOptions:
    quick: bool = False
    device: str = "cpu"
    learners: int = 8  # learner-style submissions in the grade_all rows
    full_canonical: bool = False  # time all 5 canonical epochs instead of 1 x 5


# -- 1. MNIST -------------------------------------------------------------------------------

def _solution(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", SOLUTIONS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(function: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def mnist_rows(options: BenchOptions, device: str) -> list[Row]:
    """The reference ``train_mnist`` (a learner's shuffling DataLoader loop) on looplab's dataset
    against the same loop on torchvision's MNIST, and against the whole-tensor floor."""
    from torch.utils.data import Subset
    from torchvision.datasets import MNIST
    from torchvision.transforms import ToTensor

    from grader.mnist import InMemoryMNIST, data_root

    ex08 = _solution("ex08_mnist")
    size, epochs = (3000, 1) if options.quick else (60000, 5)
    torchvision_epochs = epochs if options.full_canonical or options.quick else 1
    ours, test = InMemoryMNIST(train=True), InMemoryMNIST(train=False)
    theirs = MNIST(str(data_root()), train=True, transform=ToTensor())
    if options.quick:
        ours, theirs, test = Subset(ours, range(size)), Subset(theirs, range(size)), Subset(test, range(1000))
    ours_s, accuracy = _train_timed(ex08, ex08.train_mnist, ours, test, device, epochs)
    theirs_s, _ = _train_timed(ex08, ex08.train_mnist, theirs, test, device, torchvision_epochs)
    floor_s, _ = _train_timed(ex08, _whole_tensor_loop, ours, test, device, epochs)
    estimate = " (1 epoch x{}, estimate)".format(epochs) if torchvision_epochs != epochs else ""
    name = f"MNIST {epochs} epoch(s), {size} samples ({device})"
    return [Row(name, f"reference loop on torchvision MNIST{estimate}", theirs_s * epochs / torchvision_epochs,
                "reference loop on looplab's dataset", ours_s, ">= 3x, acc > 0.90",
                lambda r: r >= 3 and accuracy > 0.90, f"accuracy {accuracy:.4f} after {epochs} epoch(s)"),
            Row(name, "reference loop on looplab's dataset", ours_s, "whole-tensor floor (no DataLoader)",
                floor_s, "<= 2x", lambda r: r <= 2, "the floor: one gather per batch, no collation")]


def _train_timed(ex08, train, dataset, test, device: str, epochs: int) -> tuple[float, float]:
    torch.manual_seed(0)
    model = ex08.build_model()
    seconds, _ = _timed(train, model, dataset, device, epochs=epochs)
    return seconds, ex08.evaluate(model, test, device)


def _whole_tensor_loop(model: nn.Module, dataset, device: str, epochs: int, batch_size: int = 64,
                       lr: float = 0.1, seed: int = 0) -> list[float]:
    """The same training with every image in one tensor: the fastest a DataLoader loop could be."""
    images, labels = next(iter(torch.utils.data.DataLoader(dataset, batch_size=len(dataset))))
    images, labels = images.to(device), labels.to(device)
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=generator).split(batch_size):
            loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return []


# -- 2. grading against a bare run -----------------------------------------------------------

_BARE = r"""
import importlib, importlib.util, json, sys, torch
from pathlib import Path
from grader.harness.probe import ProbeContext
torch.set_num_threads(int(sys.argv[3]))
for key, filename, inputs in json.loads(sys.argv[1]):
    path = Path(sys.argv[2]) / filename
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    context = ProbeContext(path, "cpu", inputs)
    importlib.import_module(f"grader.harness.probes.{key}").run(module, context)
"""


def graded_keys(quick: bool, skip: tuple[str, ...] = ()) -> list[str]:
    """Exercises with a hidden suite, a probe and a solution (only ex02 when quick)."""
    probes = REPO_ROOT / "grader" / "harness" / "probes"
    keys = [item.key for item in CURRICULUM if suite_file(item.key).exists()
            and (probes / f"{item.key}.py").exists() and (SOLUTIONS_DIR / item.filename).exists()
            and item.key not in skip]
    if quick:
        return ["ex02"] if "ex02" in keys else keys[:1]
    return keys


def _suite_inputs(key: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"_bench_suite_{key}", suite_file(key))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plan = getattr(module, "child_plan", None)  # ex08 hands its child a data folder as well
    return dict(plan()[0] if plan else getattr(module, "INPUTS", {}))


def _run(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {done.stderr.strip()[-800:]}")
    return time.perf_counter() - started


def _grade_once(folder: Path, keys: list[str], device: str, zygote: bool, scratch: Path) -> tuple[float, dict]:
    options = {"device": device, "exercises": keys, "threads": os.cpu_count() or 1}
    result_file = scratch / f"result-{folder.name}-{device}-{zygote}.json"
    seconds = _run([sys.executable, "-m", "grader.grading.worker", str(folder), str(result_file),
                    json.dumps(options)], {"LOOPLAB_ZYGOTE": "1" if zygote else "0"})
    return seconds, json.loads(result_file.read_text())


def _bare_once(folder: Path, keys: list[str]) -> float:
    plan = [(key, exercise(key).filename, _suite_inputs(key)) for key in keys]
    return _run([sys.executable, "-c", _BARE, json.dumps(plan), str(folder), str(os.cpu_count() or 1)])


def grading_rows(options: BenchOptions, device: str, scratch: Path) -> list[Row]:
    """Grading in full against the bare run, for solutions/ and for a learner-style submission."""
    keys = graded_keys(options.quick)
    learner = write_learner_submissions(scratch / "one-learner", 1, keys)[0]
    rows = []
    for label, folder, launchers in (("solutions/", SOLUTIONS_DIR, (True, False)),
                                     ("a learner-style submission", learner, (True,))):
        bare_s = _bare_once(folder, keys)
        for zygote in (launchers[:1] if options.quick else launchers) if device == "cpu" else (False,):
            graded_s, result = _grade_once(folder, keys, device, zygote, scratch)
            graded = SubmissionResult.from_dict(result)
            launcher = "zygote (fork server)" if zygote else "spawn per exercise"
            rows.append(Row(f"grade {label} ({', '.join(keys)}; {device})",
                            "grading (python -m grader.grading.worker), " + launcher, graded_s,
                            "bare: probes in one process", bare_s, "<= 1.3x overhead",
                            lambda r: r <= 1.3,
                            f"score {graded.score:g}/{graded.max_score:g}; overhead = grading / bare"))
    return rows


# -- 3. grade_all throughput -----------------------------------------------------------------

def batch_rows(options: BenchOptions, device: str, scratch: Path, per_submission_s: float | None) -> list[Row]:
    from grader.grading.batch import grade_all
    from grader.grading.grade import GradeOptions

    keys = graded_keys(options.quick, skip=("ex08",))
    count = 2 if options.quick else options.learners
    submissions = scratch / "class"
    write_learner_submissions(submissions, count, keys)
    grade_options = GradeOptions(device=device, exercises=tuple(keys))
    isolation = resolve(grade_options.sandbox)
    times = {}
    for workers, sandbox in ((1, isolation), (2, isolation), (1, "none")):
        gradebook = scratch / f"gradebook-{workers}-{sandbox}.csv"
        times[workers, sandbox], _ = _timed(grade_all, submissions, gradebook,
                                            replace(grade_options, sandbox=sandbox),
                                            workers=workers, force=True)
    name = f"grade_all, {count} learner-style submissions ({', '.join(keys)}; {device})"
    rows = [Row(name, "1 worker", times[1, isolation], "2 workers", times[2, isolation],
                ">= 1.6x throughput", lambda r: r >= 1.6,
                f"threads per child = cores // workers; isolation: {isolation}"),
            Row(name, f"isolated ({isolation}), 1 worker", times[1, isolation],
                "unisolated (--sandbox none), 1 worker", times[1, "none"], "<= 1.3x",
                lambda r: r <= 1.3, "the default isolation against none, same batch")]
    if per_submission_s:
        rows.append(_class_projection(per_submission_s, times[1, isolation] / times[2, isolation]))
    return rows


def _class_projection(per_submission_s: float, two_worker_speedup: float, size: int = 300) -> Row:
    """A class of ``size``: one learner-style submission graded in full (every exercise, ex08
    included) times ``size``, divided by what a second worker gains, against 40 minutes."""
    speedup = max(two_worker_speedup, 1.0)
    projected_s = size * per_submission_s / speedup
    return Row(f"a class of {size} learner-style submissions, projected (all exercises)",
               "the 40-minute budget", 40 * 60.0,
               f"{size} x {per_submission_s:.1f} s per submission / {speedup:.2f} (2 workers)", projected_s,
               ">= 1x (budget / projection)", lambda r: r >= 1.0,
               f"projected {projected_s / 60:.1f} min for {size} submissions on this machine")


# -- 4. spy overhead -------------------------------------------------------------------------

def spy_rows(options: BenchOptions, device: str) -> list[Row]:
    from grader.harness.spy import LoopSpy

    size = 6000 if options.quick else 60000
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(size, 784, generator=generator).to(device)
    y = torch.randint(0, 10, (size,), generator=generator).to(device)

    def epoch() -> None:
        torch.manual_seed(0)
        model = nn.Linear(784, 10).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn.CrossEntropyLoss()
        for batch in torch.randperm(size, device=device).split(64):
            loss = loss_fn(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()

    def spied() -> None:
        with LoopSpy():
            epoch()

    epoch()  # warm up allocator and kernels
    bare_s = min(_timed(epoch)[0] for _ in range(3))
    spied_s = min(_timed(spied)[0] for _ in range(3))
    return [Row(f"1 epoch Linear(784,10), batch 64, {size} samples ({device})", "spy on", spied_s,
                "spy off", bare_s, "<= 1.1x", lambda r: r <= 1.1, "best of 3 each")]


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
            graded = grading_rows(options, device, scratch)
            rows += graded
            progress(f"measuring grade_all ({device})...")
            rows += batch_rows(options, device, scratch, _full_learner_seconds(graded))
            progress(f"measuring the spy ({device})...")
            rows += spy_rows(options, device)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def _full_learner_seconds(graded: list[Row]) -> float | None:
    """The learner-style submission's full grading time, from the grading rows."""
    rows = [row for row in graded if "learner-style" in row.name]
    return rows[0].baseline_s if rows else None


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
