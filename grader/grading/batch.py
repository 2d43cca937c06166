"""Grade a folder of submissions: one worker process each, results kept as they finish.

Each worker is forked from a warm server of the grader's own code, one per pool thread
(``grader.grading.worker_server``: the imports paid once a batch, not once a learner); where that
server fails, the learner is graded by a fresh ``python -m grader.grading.worker`` as before.

The store ``<gradebook>.results/`` holds, per learner:

- ``LEARNER.json``: the recorded result, written atomically by grade-all (never by a worker)
  as soon as that learner is graded;
- ``.LEARNER.attempt``: present while that learner is being graded, counting the starts;
- ``.LEARNER.incoming.json``: the worker's output, read once the worker has exited cleanly.

Reruns: each record carries the fingerprint it was graded under: a content hash of the
learner's exercise modules (wherever they sit in the folder, see ``grader.grading.submission_files``;
never inode or modification time) and the run's options that change scores (device, exercises,
a fixed seed, limits). A learner whose record has the fingerprint of this run is kept (unless
``force``); one whose files changed, or who was graded under other options, is graded again.
Killing the batch (even with SIGKILL) loses nothing recorded. A result that sits next
to an attempt marker was never confirmed (the batch stopped mid-way, or learner code wrote it)
and is graded again. A learner whose grading started ``MAX_ATTEMPTS`` times without finishing
(a submission that kills the grader) is recorded as an error instead of being tried forever.

Workers die with grade-all (``PR_SET_PDEATHSIG``), and each worker's children die with it, so
killing the batch leaves nothing running. The sandbox is resolved once, before any learner is
graded, with everything else that belongs to the whole run (``grader.grading.grade.check_run``: the
device, the exercises, MNIST): a problem there stops the run with one message and is never
recorded as a learner's error. Isolated (the default), learner code cannot see the store
(bubblewrap) or write into it (a user id of its own); with ``--sandbox none`` it could, so
after every worker grade-all compares the store with what it recorded itself and restores its
own files (and removes any it did not write), and the CSV, rebuilt from those records, is never
fooled.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from grader.atomic import write_text_atomic
from grader.curriculum import exercise
from grader.grading.grade import GradeOptions, check_run, resolve_device
from grader.reports import gradebook_csv
from grader.results import SubmissionResult
from grader.launch.sandbox import resolve
from grader.grading.submission_files import content_hash
from grader.grading import worker_server
from grader.grading.worker_run import run_worker as _run_worker
from grader.grading.worker_server import WorkerServers

MAX_ATTEMPTS = 3
OUTPUT_MARKER = ".looplab-output"


def results_dir(gradebook: Path) -> Path:
    return gradebook.parent / f"{gradebook.stem}.results"


def learners(submissions: Path, outputs: tuple[Path, ...] = ()) -> list[Path]:
    """Every learner's entry: folders, and links (a broken one becomes an error row, not a gap);
    never one of grade-all's own outputs, of this run (``outputs``: a gradebook, results store or
    feedback folder placed inside) or of an earlier one (a folder marked with ``OUTPUT_MARKER``),
    nor a folder that holds one of them at any depth."""
    own = [os.path.realpath(path) for path in outputs]
    base = os.path.realpath(submissions)

    def holds_output(entry: Path) -> bool:
        here = os.path.join(base, entry.name)
        return (os.path.realpath(entry) in own or any(path == here or path.startswith(here + os.sep) for path in own)
                or _holds_marker(entry))

    return sorted(p for p in submissions.iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.is_symlink()) and not holds_output(p))


def mark_as_output(folder: Path) -> None:
    """Mark ``folder`` as grade-all's own, so no later run takes it (or a folder above it) for a learner."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / OUTPUT_MARKER
    if not marker.is_file():
        write_text_atomic(marker, "This folder holds outputs of `looplab grade-all`: it is never graded as a learner.\n")


def _holds_marker(entry: Path) -> bool:
    """A marked output folder at ``entry`` or below it (links are not followed)."""
    if entry.is_symlink():
        return False
    for folder, subfolders, files in os.walk(entry):
        if OUTPUT_MARKER in files:
            return True
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name != "__pycache__"]
    return False


def grade_all(submissions: Path, gradebook: Path, options: GradeOptions, workers: int = 1,
              force: bool = False, on_done: Callable[[SubmissionResult], None] = lambda r: None,
              outputs: tuple[Path, ...] = ()) -> list[SubmissionResult]:
    """Grade every learner whose record is missing or stale, and write the CSV gradebook.

    Raises RunProblem or SandboxUnavailable, before any learner is graded, when the run itself
    cannot grade anyone."""
    check_run(options)
    store = Store(results_dir(gradebook), reset=force)
    for folder in (results_dir(gradebook), *outputs):
        mark_as_output(folder)
    everyone = learners(submissions, outputs=(results_dir(gradebook), gradebook, *outputs))
    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    worker_options = {**asdict(options), "threads": options.threads or threads,
                      "device": resolve_device(options.device), "sandbox": resolve(options.sandbox)}
    pending = [p for p in everyone if force or store.fingerprint(p.name) != fingerprint(p, worker_options)]

    servers = WorkerServers() if worker_server.enabled() else None

    def grade_one(path: Path) -> None:
        on_done(_grade_one(path, store, worker_options, servers))

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(grade_one, pending))
    finally:
        if servers is not None:
            servers.close()
    store.guard()
    results = [r for r in (store.result(p.name) for p in everyone) if r is not None]
    gradebook_csv.write(results, gradebook)
    return results


def fingerprint(path: Path, options: dict) -> str:
    """What a record must have been graded under to be kept: the learner's files, by content,
    and the options that change scores."""
    keys = sorted(exercise(key).key for key in options["exercises"])
    scoring = {"device": options["device"], "exercises": keys, "seed": options["seed"],
               "limits": options["limits"]}
    return f"{content_hash(path, keys)}:{json.dumps(scoring, sort_keys=True)}"


def _grade_one(path: Path, store: "Store", options: dict, servers: WorkerServers | None = None) -> SubmissionResult:
    graded_under = fingerprint(path, options)  # taken before grading: a later change regrades
    attempt = store.start(path.name)
    if attempt > MAX_ATTEMPTS:
        error = (f"grading this submission started {MAX_ATTEMPTS} times and never finished (the grader "
                 "was stopped or killed each time): not graded again; use --force to retry")
        return store.record(SubmissionResult(path.name, error=error), graded_under)
    incoming = store.incoming(path.name)
    incoming.unlink(missing_ok=True)
    problem = _run_worker(path, incoming, options, servers)
    result = None if problem else load_result(incoming)
    incoming.unlink(missing_ok=True)
    if result is None:
        result = SubmissionResult(path.name, error=f"the grader failed on this submission: {problem or 'no result'}")
    result.learner = path.name
    return store.record(result, graded_under)


def load_result(path: Path) -> SubmissionResult | None:
    try:
        return SubmissionResult.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


class Store:
    """The results folder, and the exact files grade-all itself wrote into it."""

    def __init__(self, folder: Path, reset: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._lock = threading.Lock()
        self._written: dict[str, tuple[str, tuple]] = {}
        self._in_flight: set[str] = set()
        for leftover in [*folder.glob(".*.tmp"), *folder.glob(".*.incoming.json"), *folder.glob(".*.worker.log")]:
            leftover.unlink(missing_ok=True)  # half-written by a run that was killed
        if reset:
            for marker in folder.glob(".*.attempt"):
                marker.unlink(missing_ok=True)
        for path in self._result_files():
            if self.recorded(path.stem):
                self._written[path.stem] = (path.read_text(), _signature(path))

    def recorded(self, name: str) -> bool:
        """A result whose grading finished: it loads, and no attempt at it was left open."""
        return not self._attempt(name).exists() and load_result(self._result(name)) is not None

    def result(self, name: str) -> SubmissionResult | None:
        text = self._text(name)
        return SubmissionResult.from_dict(json.loads(text)) if text else None

    def fingerprint(self, name: str) -> str | None:
        """The fingerprint ``name``'s confirmed record was graded under (None: no such record)."""
        text = self._text(name)
        return json.loads(text).get("fingerprint") if text else None

    def _text(self, name: str) -> str | None:
        with self._lock:
            return self._written.get(name, (None,))[0]

    def incoming(self, name: str) -> Path:
        return self.folder / f".{name}.incoming.json"

    def start(self, name: str) -> int:
        """Count one more start of grading ``name``; returns the count."""
        marker = self._attempt(name)
        try:
            attempt = int(marker.read_text()) + 1
        except (OSError, ValueError):
            attempt = 1
        with self._lock:
            self._in_flight.add(name)
            self._written.pop(name, None)
        write_text_atomic(marker, str(attempt))
        return attempt

    def record(self, result: SubmissionResult, fingerprint: str) -> SubmissionResult:
        """Write the result and its fingerprint, close its attempt, then restore anything else
        that was changed."""
        name, text = result.learner, json.dumps({**result.to_dict(), "fingerprint": fingerprint}, indent=1)
        path = self._result(name)
        with self._lock:
            write_text_atomic(path, text)
            self._attempt(name).unlink(missing_ok=True)
            self._written[name] = (text, _signature(path))
            self._in_flight.discard(name)
        self.guard()
        return result

    def guard(self) -> list[str]:
        """Put back every result file grade-all wrote, remove those it did not; returns their names."""
        touched = []
        with self._lock:
            for path in self._result_files():
                name = path.stem
                if name not in self._written and name not in self._in_flight:
                    path.unlink(missing_ok=True)
                    touched.append(name)
            for name, (text, signature) in self._written.items():
                path = self._result(name)
                if not path.exists() or _signature(path) != signature:
                    write_text_atomic(path, text)
                    self._written[name] = (text, _signature(path))
                    touched.append(name)
        if touched:
            print(f"grade-all: restored results changed by something else: {', '.join(sorted(touched))}",
                  file=sys.stderr, flush=True)
        return touched

    def _result_files(self) -> list[Path]:
        return [p for p in self.folder.glob("*.json") if not p.name.startswith(".")]

    def _result(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def _attempt(self, name: str) -> Path:
        return self.folder / f".{name}.attempt"


def _signature(path: Path) -> tuple:
    """What changes whenever a file is written, replaced or touched (ctime cannot be set back)."""
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
