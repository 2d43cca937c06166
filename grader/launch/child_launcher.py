"""Run one exercise of one submission in a child process and hand back only plain data.

The child gets a scratch folder holding a copy of the learner's file and a runtime copy of
``grader.harness`` (nothing else of the grader), a wall-time, CPU-time, memory and file-size
limit, its own session, and optionally a bubblewrap sandbox. Inside it a supervisor forks the
learner process and kills whatever that leaves behind (see ``grader.harness.child``); the parent
reads back one JSON file, checked against the one-time key it wrote to ``out/key``, and a tensor
file loaded with ``weights_only=True``; nothing is unpickled.

What the parent does with a result that is not a clean finish:

- a result file whose HMAC does not match (written by anything but the supervisor): ``forged``,
  no data kept;
- learner code that replaced torch's or the harness's functions, or wrote into the result pipe:
  ``tampered``, no data kept;
- a timeout, a crash or an exit in the middle of the probe: the scenarios finished before it keep
  their records, the one that was running gets an error naming the cause.
"""
from __future__ import annotations

import hashlib
import io
import json
import hmac
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch

from grader.launch import cgroup
from grader.harness.child import (KEY_FILE, RESULT_FILE, STARTUP_S, TENSOR_FILE, WALL_MARGIN_S,
                                  process_start)
from grader.launch.limits import Limits
from grader.launch.processes import TOKEN_VARIABLE, kill_group, kill_tagged
from grader.launch.sandbox import child_uid, resolve, sandbox_command
from grader.launch.scratch_files import read_regular, remove_owned_by

_BOOT = ("import sys; sys.path.insert(0, {runtime!r}); from grader.harness.child import main; "
         "main(sys.argv[1]); sys.stdout.flush(); sys.stderr.flush(); import os; os._exit(0)")
_MAX_RESULT_BYTES = 96 * 1024 * 1024
_MAX_LEARNER_FILE_BYTES = 1024 * 1024
_SUPERVISOR_MB = 1024  # the cgroup holds the supervisor (torch imported) beside the learner
_GRACE_S = 10.0  # the supervisor enforces wall_s; the parent steps in only if it does not
FORGED = ("the grader's result file for this exercise was not the one its supervisor wrote "
          "(something, presumably your code, replaced it): no points for this exercise")
_LABELS = {"timeout": "TimeLimitExceeded", "cpu": "CPULimitExceeded", "file_size": "FileSizeLimitExceeded",
           "crashed": "Crash", "no_result": "ProcessExit"}


@dataclass
class ChildOutcome:
    """What came back from one child: a status, a learner-facing message, and plain data."""

    # ok | import_error | probe_error | timeout | cpu | file_size | crashed | no_result | tampered | forged
    status: str
    message: str = ""
    observations: dict = field(default_factory=dict)
    tensors: dict = field(default_factory=dict)
    output_tail: str = ""
    wall_s: float = 0.0


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
    from grader.launch import zygote

    server = zygote.for_child(request.device, request.sandbox, request.read_only_paths)
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
    outcome = _read_outcome(out, key, returncode, timed_out, limits, request.learner_file.name)
    outcome.output_tail = _tail(scratch / "output.txt", limits.output_kb * 1024)
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
    from grader.launch.zygote import copy_runtime

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


# -- reading the result back ---------------------------------------------------------------

def _read_outcome(out: Path, key: bytes, returncode: int, timed_out: bool, limits: Limits,
                  module: str) -> ChildOutcome:
    body = _verified_body(out, key)
    if body is False:
        return ChildOutcome("forged", FORGED)
    if body is None:
        if timed_out:
            return ChildOutcome("timeout", _timeout_message(limits))
        return ChildOutcome(*_explain_exit(returncode, limits))
    frame, ending = body.get("frame"), body.get("exit") or {}
    if ending.get("channel", "ok") != "ok":
        return ChildOutcome("tampered", f"your code wrote {ending['channel']} into the grader's result "
                                        "pipe: no points for this exercise")
    tensors = _load_tensors(out, body.get("tensors_sha256")) if frame else {}
    if tensors is None:
        return ChildOutcome("forged", FORGED)
    if isinstance(frame, dict) and frame.get("stage") == "done":
        return _finished(frame, tensors)
    if ending.get("timed_out") and frame is None:
        return ChildOutcome("timeout", f"the grader's child process did not start within {STARTUP_S:g} s")
    if ending.get("timed_out"):
        status, message = "timeout", _timeout_message(limits)
    elif ending.get("disk"):
        status, message = "file_size", (f"your code wrote more than {limits.scratch_mb} MB of files into its "
                                        "working folder and was stopped")
    else:
        status, message = _explain_exit(int(ending.get("returncode", 1)), limits)
    if isinstance(frame, dict) and frame.get("stage") == "scenario":
        return _partial(frame, tensors, status, message)
    if isinstance(frame, dict) and frame.get("stage") == "import":
        message += f" while importing {module}"
    return ChildOutcome(status, message)


def _verified_body(out: Path, key: bytes) -> dict | None | bool:
    """The supervisor's body; None when there is no result file, False when it fails the HMAC."""
    try:
        data = read_regular(out / RESULT_FILE, _MAX_RESULT_BYTES)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    try:
        envelope = json.loads(data)
    except ValueError:
        return False
    if not isinstance(envelope, dict) or not isinstance(envelope.get("body"), str):
        return False
    expected = hmac.new(key, envelope["body"].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(envelope.get("mac", ""))):
        return False
    body = json.loads(envelope["body"])
    return body if isinstance(body, dict) else False


def _finished(frame: dict, tensors: dict) -> ChildOutcome:
    status = frame.get("status") if isinstance(frame.get("status"), str) else "no_result"
    observations = frame.get("observations") if isinstance(frame.get("observations"), dict) else {}
    if status in ("tampered", "import_error"):
        return ChildOutcome(status, str(frame.get("message", "")))
    return ChildOutcome(status, str(frame.get("message", "")), observations, tensors)


def _partial(frame: dict, tensors: dict, status: str, message: str) -> ChildOutcome:
    """What the scenarios before the stop saw, and the stop as the running scenario's error."""
    observations = frame.get("observations") if isinstance(frame.get("observations"), dict) else {}
    current = str(frame.get("current", "?"))
    observations[current] = {"error": f"{_LABELS.get(status, 'Stopped')}: {message}"}
    return ChildOutcome("probe_error", f"{message} (while running {current})", observations, tensors)


def _load_tensors(out: Path, digest: str | None) -> dict | None:
    """The tensors of the verified frame; None when the file is not the one the HMAC covers."""
    try:
        data = read_regular(out / TENSOR_FILE, _MAX_RESULT_BYTES)
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    try:
        loaded = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception:  # noqa: BLE001 - a verified but unreadable blob is simply no tensors
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if type(v) is torch.Tensor}


def _timeout_message(limits: Limits) -> str:
    return f"your code ran longer than {limits.wall_s - WALL_MARGIN_S:g} s and was stopped"


def _explain_exit(returncode: int, limits: Limits) -> tuple[str, str]:
    if returncode == -signal.SIGXCPU:
        return "cpu", f"your code used more than {limits.cpu_s} s of CPU time and was stopped"
    if returncode == -signal.SIGKILL:
        return "cpu", (f"the process running your code was killed (SIGKILL): usually for using more "
                       f"than {limits.cpu_s} s of CPU time or {limits.memory_mb} MB of memory")
    if returncode == -signal.SIGXFSZ:
        return "file_size", f"your code wrote a file larger than {limits.file_mb} MB and was stopped"
    if returncode == -signal.SIGSEGV:
        return "crashed", "the Python process crashed with a segmentation fault while running your code"
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else returncode
        return "crashed", f"the process running your code was killed by signal {name}"
    return "no_result", (f"your code ended the process (exit code {returncode}) before the grader "
                         "could record any result: do not call sys.exit() or os._exit()")


def _tail(path: Path, limit: int) -> str:
    try:
        return read_regular(path, limit, tail=True).decode("utf-8", "replace")
    except OSError as error:
        return f"[the grader did not read the output file: {error.strerror or error}]"


# -- launcher switch (grader/launch/zygote.py): fork from a warm zygote where that is safe --------------

def _launch(request: ChildRequest, request_file: Path, command: list[str], cwd: Path, output: Path,
            limits: Limits, token: str, arm: Callable[[], None] = lambda: None,
            uid: int | None = None, server=None) -> tuple[int, bool]:
    """Fork from the zygote ``server`` when there is one, else (or if it fails) a fresh spawn."""
    from grader.launch import zygote

    if server is not None:
        try:
            arm()
            return zygote.run_forked(server, request_file, cwd, output, limits, uid)
        except zygote.ZygoteError as error:  # replaced next time; this child runs the plain way
            print(f"looplab: the fork server failed ({error}); starting this child afresh",
                  file=sys.stderr)
    arm()
    return _execute(command, cwd, output, limits, token, uid)
