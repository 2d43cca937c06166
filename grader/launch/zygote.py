"""A fork server ("zygote"): pay ``import torch`` once per grading process, not once per exercise.

A plain child (``child_launcher.run_child``) starts a fresh interpreter and imports torch, about
1.5-2.5 s on a slow machine, which is most of the time a small exercise takes. The zygote is one
long-lived ``python -I`` process that imports torch and the runtime copy of ``grader.harness``
(every probe included) and then waits for requests on its stdin. For each request it forks; the
forked child does what the spawn path's ``preexec_fn`` and ``BOOT`` do: new session and process
group, resource limits, stdin from /dev/null, stdout and stderr into the output file, ``chdir`` to
the scratch submission folder, then ``grader.harness.child.main(request)`` and ``os._exit``.

What the forked child can reach is what a spawned child can: the zygote runs with ``-I`` and
``sys.path[0]`` = its own runtime copy of ``grader.harness`` (nothing else of the grader), and it
drops an editable install's import finder (which would map ``grader`` back to the checkout), so
``import grader.hidden`` fails in a forked child; ``grader.launch.limits`` is
loaded by file path under a private name, never as part of the ``grader`` package. The zygote
never imports learner code: every child starts from the same state, and nothing a learner does in
one child survives into the next.

Protocol, one JSON line per request on the zygote's stdin, at most one request at a time:
``{"request", "cwd", "output", "limits"}``; replies on its stdout: ``pid N`` when the child runs,
then ``status S`` (the raw ``waitpid`` status) when it has ended. The parent enforces the wall
limit itself and kills the child's process group, as the spawn path does.

Use it only where forking is safe and equivalent: CPU or meta devices (CUDA cannot be initialised
again after a fork, so ``--device cuda`` keeps the spawn path). ``LOOPLAB_ZYGOTE=0`` turns it off.

Isolation: with ``--sandbox bwrap`` the zygote itself runs inside bubblewrap, so every child it
forks is inside the same sandbox (a fork cannot leave it). That sandbox shows the zygote's own
folder: its runtime copy (read-only) and ``children/``, under which each child's scratch folder is
made (read-write), and the process's data folder (``grader.launch.child_data``, read-only). One zygote
serves one grading process (a lane of it, ``grader.launch.zygote_lanes``), which in ``grade-all``
grades one learner: a zygote and its sandbox are never shared between learners. Pids inside the sandbox
are not the host's: the zygote's ``pid N`` is translated through ``/proc/*/status`` (NSpid) before
the parent signals anything. With ``--sandbox uid`` the forked child switches to its own user id
right after the fork.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from grader.launch import cgroup, child_data
from grader.launch.limits import Limits
from grader.launch.line_pipe import LinePipe
from grader.launch.processes import kill_group, kill_tagged, parent_of
from grader.launch.runtime_copy import RUNTIME_LIMITS, copy_runtime
from grader.launch.sandbox import sandbox_command

SWITCH_VARIABLE = "LOOPLAB_ZYGOTE"
TOKEN_VARIABLE = "LOOPLAB_ZYGOTE_TOKEN"
_START_TIMEOUT_S = 120.0
_ZYGOTE_MB = 1024  # the cgroup holds the zygote itself (torch imported) beside one child

# The zygote's own program (grader/launch/zygote_server.py), run as
# ``python -I -c TEXT RUNTIME LIMITS_FILE KEEP_JSON``.
_SERVER = (Path(__file__).resolve().parent / "zygote_server.py").read_text()


def enabled(device: str, sandbox: str) -> bool:
    """Whether a zygote may run this child: CPU-like device, not switched off."""
    if os.environ.get(SWITCH_VARIABLE, "1") == "0" or not hasattr(os, "fork"):
        return False
    return sandbox in ("none", "uid", "bwrap") and device.split(":")[0] in ("cpu", "meta")


class ZygoteError(RuntimeError):
    """The zygote died or answered nonsense; the caller falls back to the spawn path."""


class Zygote:
    """One fork server; ``run`` is thread-safe and serves one child at a time (a grading that runs
    children side by side keeps several, ``grader.launch.zygote_lanes``)."""

    def __init__(self, sandboxed: bool = False) -> None:
        self.token = uuid.uuid4().hex
        self.sandboxed = sandboxed
        self._lock = threading.Lock()
        self._root = Path(tempfile.mkdtemp(prefix="looplab-zygote-"))
        self._runtime, self.scratch_root = self._root / "runtime", self._root / "children"
        copy_runtime(self._runtime)
        self.scratch_root.mkdir()
        for folder in (self._root, self.scratch_root):
            folder.chmod(0o711)  # children with a user id of their own reach their scratch folder
        env = {key: value for key, value in os.environ.items() if not key.startswith("LOOPLAB_")}
        env.update({TOKEN_VARIABLE: self.token, "PYTHONDONTWRITEBYTECODE": "1",
                    "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
        shown = [str(self._runtime), str(self.scratch_root), str(child_data.folder())]
        command = [sys.executable, "-I", "-c", _SERVER, str(self._runtime),
                   str(self._runtime / RUNTIME_LIMITS), json.dumps(shown if sandboxed else None)]
        if sandboxed:
            command = sandbox_command("bwrap", command, self.scratch_root, cwd=self._runtime,
                                      read_only=[str(self._runtime), str(child_data.folder())])
        self._group = cgroup.create(Limits().memory_mb + _ZYGOTE_MB)
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         cwd=self._runtime, env=env, start_new_session=True,
                                         preexec_fn=self._group.enter if self._group else None)
        self._pipe = LinePipe(self._process, ZygoteError, "the zygote")
        self._ready = False
        self._spared: set[int] = {self._process.pid}

    def serves(self, read_only_paths) -> bool:
        """Whether this zygote's children can read these data folders (the sandbox's view)."""
        return not self.sandboxed or child_data.holds(read_only_paths)

    def wait_ready(self) -> None:
        """Block until the zygote has imported torch (it starts in the background)."""
        if not self._ready:
            head, _, inner = self._pipe.read_line(time.monotonic() + _START_TIMEOUT_S).partition(" ")
            if head != "ready":
                raise ZygoteError("the zygote did not start")
            self._spared = self._own_processes(int(inner))
            self._ready = True

    def _own_processes(self, inner: int) -> set[int]:
        """The zygote's own pids on the host: the zygote and, inside bubblewrap, the processes
        between it and the one this process started (never killed as a child's leftovers)."""
        own = {self._process.pid}
        pid = host_pid_of(inner, self.token) if self.sandboxed else self._process.pid
        while pid and pid not in own and pid > 1:
            own.add(pid)
            pid = parent_of(pid)
        return own

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def run(self, request_file: Path, cwd: Path, output: Path, limits: Limits,
            uid: int | None = None) -> tuple[int, bool]:
        """Fork a child for ``request_file`` (as ``uid`` if given); returns (return code as Popen
        has it, timed out)."""
        with self._lock:
            self.wait_ready()
            job = {"request": str(request_file), "cwd": str(cwd), "output": str(output),
                   "limits": _limits_dict(limits), "uid": uid}
            self._pipe.send(json.dumps(job))
            pid = int(self._pipe.expect("pid", time.monotonic() + _START_TIMEOUT_S))
            if self.sandboxed:
                pid = self._host_pid(pid)
            timed_out = False
            try:
                status = self._pipe.expect("status", time.monotonic() + limits.wall_s)
            except TimeoutError:
                timed_out = True
                self._kill_child(pid)
                status = self._pipe.expect("status", time.monotonic() + _START_TIMEOUT_S)
            finally:
                self._kill_child(pid)
                self._kill_leftovers()
            return os.waitstatus_to_exitcode(int(status)), timed_out

    def close(self) -> None:
        """Stop the zygote; children's scratch folders are their callers' to remove."""
        if self._process.poll() is None:
            kill_group(self._process.pid)
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:  # a dead zygote's pipe
                pass
        if self._group is not None:
            self._group.remove()
        shutil.rmtree(self._runtime, ignore_errors=True)
        for folder in (self.scratch_root, self._root):
            try:
                folder.rmdir()
            except OSError:
                pass

    def _kill_child(self, pid: int | None) -> None:
        if pid is not None:
            kill_group(pid)

    def _host_pid(self, inner: int) -> int | None:
        """The host's pid of the zygote's child ``inner`` (a pid inside the sandbox); None when it
        has already ended (the token still finds whatever it left)."""
        for _ in range(20):
            found = host_pid_of(inner, self.token)
            if found:
                return found
            time.sleep(0.01)
        return None

    def _kill_leftovers(self) -> None:
        """Kill what a child left outside its group: a forked child's /proc/PID/environ is the
        zygote's, so the zygote's token marks every descendant; the zygote itself is spared."""
        kill_tagged(self.token, TOKEN_VARIABLE, spare=self._spared)


def host_pid_of(inner: int, token: str) -> int | None:
    """The host pid of the process carrying ``token`` whose innermost pid is ``inner``."""
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            nspid = next(line for line in (entry / "status").read_text().splitlines()
                         if line.startswith("NSpid:")).split()[1:]
            if len(nspid) > 1 and int(nspid[-1]) == inner and \
                    needle in (entry / "environ").read_bytes().split(b"\0"):
                return int(entry.name)
        except (OSError, StopIteration, ValueError):
            continue
    return None


def _limits_dict(limits: Limits) -> dict:
    return {name: getattr(limits, name) for name in Limits.__dataclass_fields__}
