"""Read back what a child process left, in the parent: only plain data, verified before use.

The parent reads one JSON file, checked against the one-time key it wrote to ``out/key`` (an
HMAC), and a tensor file loaded with ``weights_only=True``; nothing is unpickled. What the parent
does with a result that is not a clean finish:

- a result file whose HMAC does not match (written by anything but the supervisor): ``forged``,
  no data kept;
- learner code that replaced torch's or the harness's functions, or wrote into the result pipe:
  ``tampered``, no data kept;
- a timeout, a crash or an exit in the middle of the probe: the scenarios finished before it keep
  their records, the one that was running gets an error naming the cause.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import signal
from pathlib import Path

import torch

from grader.harness.child import RESULT_FILE, STARTUP_S, TENSOR_FILE, WALL_MARGIN_S
from grader.launch.child_outcome import ChildOutcome
from grader.launch.limits import Limits
from grader.launch.scratch_files import read_regular

_MAX_RESULT_BYTES = 96 * 1024 * 1024
FORGED = ("the grader's result file for this exercise was not the one its supervisor wrote "
          "(something, presumably your code, replaced it): no points for this exercise")
_LABELS = {"timeout": "TimeLimitExceeded", "cpu": "CPULimitExceeded", "file_size": "FileSizeLimitExceeded",
           "crashed": "Crash", "no_result": "ProcessExit"}


def read_outcome(out: Path, key: bytes, returncode: int, timed_out: bool, limits: Limits,
                 module: str) -> ChildOutcome:
    """The child's outcome from its verified result file, or from how its process ended."""
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


def read_tail(path: Path, limit: int) -> str:
    """The last ``limit`` bytes of the child's output file, as text."""
    try:
        return read_regular(path, limit, tail=True).decode("utf-8", "replace")
    except OSError as error:
        return f"[the grader did not read the output file: {error.strerror or error}]"
