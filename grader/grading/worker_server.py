"""A warm start for grade-all's workers: one process per worker slot pays the grading process's
imports once (torch, ``torch._dynamo`` that the first optimizer pulls in, pytest, the grader),
then forks a worker for each submission.

Without it every submission starts a fresh ``python -m grader.grading.worker``, which imports all
of that again: about 3 s of CPU a submission on 2 cores, as much as grading a small exercise set.
The server is the grader's own code, never the learner's: it imports no hidden suite (each
grading imports those afresh, on its own seed), builds no tensor and starts no zygote, so every
forked worker starts from the same state and nothing one worker does reaches the next. Learner
code still runs only in the children each worker starts (``grader.launch``), isolated as before.

Protocol, one JSON line per request on the server's stdin, one request at a time:
``{"argv": [SUBMISSION, RESULT, OPTIONS_JSON], "log": PATH}``; replies on its stdout: ``pid N``
when the worker runs (its own session: N is its process group), then ``status S`` (the raw
``waitpid`` status). The forked worker dies with the server, the server with grade-all
(``PR_SET_PDEATHSIG``); the server ends when its stdin closes. ``LOOPLAB_WORKER_SERVER=0`` turns
it off (a fresh interpreter per submission, as before).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from grader.launch.limits import die_with_parent
from grader.launch.line_pipe import LinePipe
from grader.launch.processes import kill_group

SWITCH_VARIABLE = "LOOPLAB_WORKER_SERVER"
_START_TIMEOUT_S = 300.0


class WorkerServerError(RuntimeError):
    """The server died or answered nonsense; the caller runs this submission the plain way."""


def enabled() -> bool:
    return os.environ.get(SWITCH_VARIABLE, "1") != "0" and hasattr(os, "fork")


class WorkerServer:
    """One warm server; ``run`` grades one submission at a time. Start it from a thread that
    lives as long as it is used (it dies with that thread, ``die_with_parent``)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.grading.worker_server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self._pipe = LinePipe(self._process, WorkerServerError, "the worker server")
        self._ready = False

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def run(self, argv: list[str], log: Path, timeout_s: float) -> tuple[int, bool]:
        """Grade one submission in a forked worker: (return code as Popen has it, timed out)."""
        if not self._ready:
            if self._pipe.read_line(time.monotonic() + _START_TIMEOUT_S) != "ready":
                raise WorkerServerError("the worker server did not start")
            self._ready = True
        self._pipe.send(json.dumps({"argv": argv, "log": str(log)}))
        pid = int(self._pipe.expect("pid", time.monotonic() + _START_TIMEOUT_S))
        try:
            status = self._pipe.expect("status", time.monotonic() + timeout_s)
        except TimeoutError:
            kill_group(pid)
            return os.waitstatus_to_exitcode(int(self._pipe.expect("status", time.monotonic() + 60))), True
        return os.waitstatus_to_exitcode(int(status)), False

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerServers:
    """One server per thread of grade-all's pool, started on that thread's first submission and
    again if it died; all closed at the end of the batch."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[WorkerServer] = []
        self._lock = threading.Lock()

    def for_this_thread(self) -> WorkerServer:
        server = getattr(self._local, "server", None)
        if server is None or not server.alive:
            if server is not None:
                server.close()
            server = self._local.server = WorkerServer()
            with self._lock:
                self._all.append(server)
        return server

    def retire_this_thread(self) -> None:
        server = getattr(self._local, "server", None)
        if server is not None:
            server.close()
            self._local.server = None

    def close(self) -> None:
        with self._lock:
            servers, self._all = self._all, []
        for server in servers:
            server.close()


# -- the server's side -----------------------------------------------------------------------

def _reply(text: str) -> None:
    os.write(1, (text + "\n").encode())


def _work(job: dict) -> None:
    """In the forked worker: its own session, dying with the server, output into the log."""
    code = 1
    try:
        os.setsid()
        die_with_parent()
        null = os.open(os.devnull, os.O_RDONLY)
        sink = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        from grader.grading import worker

        code = worker.main(job["argv"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - the traceback is the worker's last words in its log
        import traceback

        traceback.print_exc()
    finally:
        from grader.grading.worker import exit_now

        exit_now(code)


def serve() -> None:
    import pytest  # noqa: F401 - imported once here, for every forked worker
    import torch._dynamo  # noqa: F401 - what the first torch.optim optimizer imports
    import grader.grading.grade  # noqa: F401
    import grader.grading.worker  # noqa: F401

    _reply("ready")
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _work(job)
        _reply(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        _reply(f"status {status}")


if __name__ == "__main__":
    serve()
