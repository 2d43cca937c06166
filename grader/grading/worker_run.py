"""Run one grade-all worker for one learner: forked from this thread's warm server
(``grader.grading.worker_server``) when there is one, else (or when that server fails) a fresh
``python -m grader.grading.worker``; either way the answer is '' or what went wrong, in a line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from grader.grading.worker_server import WorkerServerError, WorkerServers
from grader.launch.limits import die_with_parent

WORKER_TIMEOUT_S = 3 * 3600


def run_worker(path: Path, incoming: Path, options: dict, servers: WorkerServers | None = None) -> str:
    """Run one worker (forked from this thread's warm server when there is one); '' when it
    exited cleanly, else what went wrong."""
    argv = [str(path), str(incoming), json.dumps(options)]
    if servers is not None:
        log = incoming.parent / f".{path.name}.worker.log"  # beside the result, removed after
        try:
            code, timed_out = servers.for_this_thread().run(argv, log, WORKER_TIMEOUT_S)
            return _worker_problem(code, timed_out, _last_words(log))
        except (WorkerServerError, TimeoutError) as error:
            servers.retire_this_thread()
            print(f"grade-all: the worker server failed ({error or 'no answer'}); grading {path.name} "
                  "in a fresh process", file=sys.stderr, flush=True)
        finally:
            log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "grader.grading.worker", *argv]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
    except subprocess.TimeoutExpired:
        return _worker_problem(0, True, "")
    return _worker_problem(done.returncode, False, done.stderr)


def _worker_problem(code: int, timed_out: bool, stderr: str) -> str:
    if timed_out:
        return f"grading took longer than {WORKER_TIMEOUT_S} s"
    if code < 0:
        return f"the worker process was killed by signal {-code}"
    if code:
        return (stderr.strip().splitlines() or [f"exit code {code}"])[-1]
    return ""


def _last_words(log: Path) -> str:
    """The end of a forked worker's output (its traceback, if it failed)."""
    try:
        with open(log, "rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 8192))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""
