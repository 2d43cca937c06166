"""Run one exercise of one submission in a child process and hand back only plain data.

The child gets a scratch folder holding a copy of the learner's file and a runtime copy of
``grader.harness`` (nothing else of the grader), a wall-time, CPU-time, memory and file-size
limit, its own process group, and optionally a bubblewrap sandbox. The parent reads back a JSON
file and a tensor file loaded with ``weights_only=True``; nothing is unpickled.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import torch

from grader.harness.child import RESULT_FILE, TENSOR_FILE
from grader.limits import Limits
from grader.sandbox import sandbox_command

_HARNESS = Path(__file__).resolve().parent / "harness"
_BOOT = ("import sys; sys.path.insert(0, {runtime!r}); from grader.harness.child import main; "
         "main(sys.argv[1]); sys.stdout.flush(); sys.stderr.flush(); import os; os._exit(0)")
_MAX_RESULT_BYTES = 32 * 1024 * 1024
TOKEN_VARIABLE = "LOOPLAB_CHILD_TOKEN"


@dataclass
class ChildOutcome:
    """What came back from one child: a status, a learner-facing message, and plain data."""

    status: str  # ok | import_error | probe_error | timeout | cpu | memory | file_size | crashed | no_result
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
    sandbox: str = "none"  # none | bwrap


def run_child(request: ChildRequest, limits: Limits = Limits()) -> ChildOutcome:
    """Run the exercise's probe over the learner's file in a fresh, limited child process."""
    scratch = Path(tempfile.mkdtemp(prefix=f"looplab-{request.exercise}-"))
    try:
        return _run_in(scratch, request, limits)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_in(scratch: Path, request: ChildRequest, limits: Limits) -> ChildOutcome:
    work, out, runtime = _prepare(scratch, request)
    request_file = out / "request.json"
    request_file.write_text(json.dumps({
        "exercise": request.exercise, "module_path": str(work / request.learner_file.name),
        "device": request.device, "inputs": request.inputs, "out_dir": str(out),
        "threads": request.threads,
    }))
    command = [sys.executable, "-I", "-c", _BOOT.format(runtime=str(runtime)), str(request_file)]
    command = sandbox_command(request.sandbox, command, scratch)
    token = uuid.uuid4().hex
    started = time.monotonic()
    returncode, timed_out = _execute(command, work, scratch / "output.txt", limits, token)
    wall = time.monotonic() - started
    _kill_leftovers(token)
    outcome = _read_outcome(out, returncode, timed_out, limits)
    outcome.output_tail = _tail(scratch / "output.txt", limits.output_kb * 1024)
    outcome.wall_s = wall
    return outcome


def _prepare(scratch: Path, request: ChildRequest) -> tuple[Path, Path, Path]:
    work, out, runtime = scratch / "submission", scratch / "out", scratch / "runtime"
    work.mkdir()
    out.mkdir()
    if request.learner_file.is_file():
        shutil.copy2(request.learner_file, work / request.learner_file.name)
    package = runtime / "grader"
    shutil.copytree(_HARNESS, package / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    (package / "__init__.py").write_text("")
    return work, out, runtime


def _execute(command: list[str], cwd: Path, output: Path, limits: Limits,
             token: str) -> tuple[int, bool]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOOPLAB_")}
    env.update({TOKEN_VARIABLE: token, "PYTHONDONTWRITEBYTECODE": "1",
                "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
    with open(output, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                                   preexec_fn=limits.apply)
        try:
            return process.wait(timeout=limits.wall_s), False
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            return process.wait(), True
        finally:
            _kill_group(process.pid)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_leftovers(token: str) -> None:
    """Kill processes the learner left behind, even ones that left the process group."""
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _read_outcome(out: Path, returncode: int, timed_out: bool, limits: Limits) -> ChildOutcome:
    if timed_out:
        return ChildOutcome("timeout", f"your code ran longer than {limits.wall_s:g} s and was stopped")
    result = _load_json(out / RESULT_FILE)
    if result is None:
        return ChildOutcome(*_explain_exit(returncode, limits))
    status = result.get("status") if isinstance(result.get("status"), str) else "no_result"
    observations = result.get("observations") if isinstance(result.get("observations"), dict) else {}
    return ChildOutcome(status, str(result.get("message", "")), observations, _load_tensors(out))


def _load_json(path: Path) -> dict | None:
    try:
        if path.stat().st_size > _MAX_RESULT_BYTES:
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _load_tensors(out: Path) -> dict:
    try:
        loaded = torch.load(out / TENSOR_FILE, weights_only=True, map_location="cpu")
    except Exception:  # noqa: BLE001 - a missing or forged file is simply no tensors
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if type(v) is torch.Tensor}


def _explain_exit(returncode: int, limits: Limits) -> tuple[str, str]:
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        return "cpu", f"your code used more than {limits.cpu_s} s of CPU time and was stopped"
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
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
