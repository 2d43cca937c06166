"""Run one exercise of one submission in a child process and hand back only plain data.

The child gets a scratch folder holding a copy of the learner's file and a runtime copy of
``grader.harness`` (nothing else of the grader), a wall-time, CPU-time, memory and file-size
limit, its own session, and optionally a bubblewrap sandbox. Inside it a supervisor forks the
learner process and kills whatever that leaves behind (see ``grader.harness.child``); the parent
reads back only plain data (``grader.launch.child_result``). This module runs in the parent.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from grader.harness.child import KEY_FILE, RESULT_FILE, STARTUP_S, TENSOR_FILE, process_start
from grader.launch import cgroup
from grader.launch.child_outcome import ChildOutcome
from grader.launch.child_result import read_outcome, read_tail
from grader.launch.limits import Limits
from grader.launch.processes import TOKEN_VARIABLE, kill_group, kill_tagged
from grader.launch.runtime_copy import copy_runtime
from grader.launch.sandbox import child_uid, resolve, sandbox_command
from grader.launch.scratch_files import remove_owned_by

_BOOT = ("import sys; sys.path.insert(0, {runtime!r}); from grader.harness.child import main; "
         "main(sys.argv[1]); sys.stdout.flush(); sys.stderr.flush(); import os; os._exit(0)")
_MAX_LEARNER_FILE_BYTES = 1024 * 1024
_SUPERVISOR_MB = 1024  # the cgroup holds the supervisor (torch imported) beside the learner
_GRACE_S = 10.0  # the supervisor enforces wall_s; the parent steps in only if it does not


@dataclass(frozen=True)
class ChildRequest:
    exercise: str
    learner_file: Path
    device: str = "cpu"
    inputs: dict = field(default_factory=dict)
    threads: int = 1
    # bwrap | uid | none, resolved (grader.launch.sandbox.resolve); isolated unless told otherwise
    sandbox: str = field(default_factory=lambda: resolve("auto"))
    read_only_paths: tuple[str, ...] = ()  # extra folders the bwrap sandbox shows (data sets)


def run_child(request: ChildRequest, limits: Limits = Limits()) -> ChildOutcome:
    """Run the exercise's probe over the learner's file in a fresh, limited child process."""
    refused = _refuse(request.learner_file)
    if refused:
        return ChildOutcome("import_error", refused)
    from grader.launch import zygote_lanes

    with zygote_lanes.lease(request.device, request.sandbox, request.read_only_paths) as server:
        scratch = Path(tempfile.mkdtemp(prefix=f"looplab-{request.exercise}-",
                                        dir=server.scratch_root if server else None))
        uid = child_uid() if request.sandbox == "uid" else None
        try:
            return _run_in(scratch, request, limits, uid, server)
        finally:
            if uid is not None:
                remove_owned_by(uid)
            shutil.rmtree(scratch, ignore_errors=True)


def _refuse(learner_file: Path) -> str:
    """Why the learner's file is not even copied (a link could point at the solutions)."""
    if learner_file.is_symlink():
        return f"{learner_file.name} is a symbolic link: submit the file itself"
    if learner_file.parent.is_symlink():
        return f"the folder holding {learner_file.name} is a symbolic link: submit the files themselves"
    if not learner_file.is_file():
        return ""
    info = learner_file.stat()
    if info.st_nlink > 1:
        return (f"{learner_file.name} is a hard link shared with {info.st_nlink - 1} other file(s): "
                "submit a copy of your own file")
    if info.st_size > _MAX_LEARNER_FILE_BYTES:
        return f"{learner_file.name} is larger than {_MAX_LEARNER_FILE_BYTES // 1024} KB"
    return ""


def _run_in(scratch: Path, request: ChildRequest, limits: Limits, uid: int | None,
            server=None) -> ChildOutcome:
    work, out, runtime = _prepare(scratch, request, uid)
    key = secrets.token_bytes(32)
    request_file = out / "request.json"
    request_text = json.dumps({
        "exercise": request.exercise, "module_path": str(work / request.learner_file.name),
        "device": request.device, "inputs": request.inputs, "out_dir": str(out),
        "threads": request.threads, "wall_s": limits.wall_s, "cpu_s": limits.cpu_s,
        "memory_mb": limits.memory_mb, "scratch_mb": limits.scratch_mb,
        "output_kb": limits.output_kb, "grader": _grader_identity(request.sandbox),
    })
    command = [sys.executable, "-I", "-c", _BOOT.format(runtime=str(runtime)), str(request_file)]
    command = sandbox_command(request.sandbox, command, scratch, cwd=work, device=request.device,
                              read_only=request.read_only_paths)
    token = uuid.uuid4().hex
    started = time.monotonic()
    returncode, timed_out = _launch(request, request_file, command, work, scratch / "output.txt",
                                    limits, token, arm=lambda: _arm(out, request_text, key, uid), uid=uid,
                                    server=server)
    wall = time.monotonic() - started
    kill_tagged(token)  # a backstop: the supervisor already killed every descendant it saw
    outcome = read_outcome(out, key, returncode, timed_out, limits, request.learner_file.name)
    outcome.output_tail = read_tail(scratch / "output.txt", limits.output_kb * 1024)
    outcome.wall_s = wall
    return outcome


def _grader_identity(sandbox: str) -> dict | None:
    """This process, for the supervisor to stop when it is gone (not inside a PID namespace)."""
    if sandbox == "bwrap":
        return None
    return {"pid": os.getpid(), "start": process_start(os.getpid())}


def _arm(out: Path, request_text: str, key: bytes, uid: int | None) -> None:
    """A fresh start for a child: no result files; the request and the key its supervisor reads
    and deletes before any learner code runs."""
    for name in (RESULT_FILE, TENSOR_FILE):
        (out / name).unlink(missing_ok=True)
    (out / "request.json").write_text(request_text)
    (out / KEY_FILE).write_bytes(key)
    for name in ("request.json", KEY_FILE):
        _give(out / name, uid, 0o600)


def _prepare(scratch: Path, request: ChildRequest, uid: int | None) -> tuple[Path, Path, Path]:
    """The scratch folder: ``submission/`` and ``out/`` belong to the child (its uid, if it has
    one of its own); the runtime copy and ``output.txt`` stay the grader's."""
    work, out, runtime = scratch / "submission", scratch / "out", scratch / "runtime"
    work.mkdir()
    out.mkdir()
    _copy_learner_file(request.learner_file, work / request.learner_file.name)
    copy_runtime(runtime)
    if uid is not None:
        scratch.chmod(0o711)
        for path in (work, out, work / request.learner_file.name):
            _give(path, uid, 0o700 if path.is_dir() else 0o600)
    return work, out, runtime


def _give(path: Path, uid: int | None, mode: int) -> None:
    """Hand a scratch path to the child's own user id (nothing to do without one)."""
    if uid is not None and path.exists():
        os.chown(path, uid, uid)
        path.chmod(mode)


def _copy_learner_file(source: Path, target: Path) -> None:
    """Copy a regular file, never through a link, at most the size limit (a missing file: nothing)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        target.write_bytes(handle.read(_MAX_LEARNER_FILE_BYTES))


def _execute(command: list[str], cwd: Path, output: Path, limits: Limits,
             token: str, uid: int | None = None) -> tuple[int, bool]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOOPLAB_")}
    env.update({TOKEN_VARIABLE: token, "PYTHONDONTWRITEBYTECODE": "1",
                "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
    # the supervisor imports torch under these limits; the learner process sets cpu_s itself
    supervisor = replace(limits, cpu_s=limits.cpu_s + int(STARTUP_S))
    group = cgroup.create(limits.memory_mb + _SUPERVISOR_MB)

    def start() -> None:  # in the child, before exec: limits, the cgroup, then its own user
        supervisor.apply()
        if group is not None:
            group.enter()
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)

    with open(output, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                                   preexec_fn=start)
        try:
            return process.wait(timeout=limits.wall_s + STARTUP_S + _GRACE_S), False
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            return process.wait(), True
        finally:
            kill_group(process.pid)
            if group is not None:
                group.remove()


# -- launcher switch (grader/launch/zygote_lanes.py): fork from a warm zygote where that is safe --------

def _launch(request: ChildRequest, request_file: Path, command: list[str], cwd: Path, output: Path,
            limits: Limits, token: str, arm: Callable[[], None] = lambda: None,
            uid: int | None = None, server=None) -> tuple[int, bool]:
    """Fork from the zygote ``server`` when there is one, else (or if it fails) a fresh spawn."""
    from grader.launch import zygote_lanes

    if server is not None:
        try:
            arm()
            return zygote_lanes.run_forked(server, request_file, cwd, output, limits, uid)
        except zygote_lanes.ZygoteError as error:  # replaced next time; this child runs the plain way
            print(f"looplab: the fork server failed ({error}); starting this child afresh",
                  file=sys.stderr)
    arm()
    return _execute(command, cwd, output, limits, token, uid)
