"""The learner process, forked by the supervisor: imports learner code, runs the probe, and
streams frames (a checkpoint before every scenario, the result at the end) to the supervisor."""
from __future__ import annotations

import importlib.util
import io
import os
import resource
import signal
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from grader.harness.tripwire import Tampered, Tripwire
from grader.harness.wire import HEADER, PR_SET_DUMPABLE, PR_SET_PDEATHSIG, dumps, prctl, write_all


def learner_process(request: dict, supervisor: int, frames_fd: int, output_fd: int) -> None:
    """Runs in the fork: dies with the supervisor, prints into the pump, never returns."""
    code = 1
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        prctl(PR_SET_DUMPABLE, 1)
        if os.getppid() != supervisor:
            os._exit(1)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        _limit_cpu(request.get("cpu_s"))
        _run_learner(request, _Channel(frames_fd))
        code = 0
    except BaseException:  # noqa: BLE001 - a bug of the harness itself: say so in the output
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _limit_cpu(seconds: int | None) -> None:
    """The CPU limit counts from the fork: the supervisor's start-up is not the learner's time."""
    if seconds:
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        wanted = seconds + 5 if hard == resource.RLIM_INFINITY else min(hard, seconds + 5)
        resource.setrlimit(resource.RLIMIT_CPU, (min(seconds, wanted), wanted))


class _Channel:
    """Sends frames to the supervisor; its functions are bound before learner code runs."""

    def __init__(self, fd: int) -> None:
        import torch

        self._fd, self._save, self._write = fd, torch.save, write_all

    def send(self, frame: dict, tensors: dict | None = None) -> None:
        body = dumps(frame, default=str).encode()
        buffer = io.BytesIO()
        self._save(dict(tensors or {}), buffer)
        blob = buffer.getvalue()
        self._write(self._fd, HEADER.pack(len(body), len(blob)) + body + blob)


def _run_learner(request: dict, channel: _Channel) -> None:
    import torch

    torch.set_num_threads(int(request.get("threads", 1)))
    torch.manual_seed(int(request.get("seed", 0)))
    from grader.harness.probe import ProbeContext
    from grader.harness.probes import probe_for

    probe = probe_for(request["exercise"])
    learner_file = Path(request["module_path"])
    context = _make_context(ProbeContext)(learner_file, request["device"], request.get("inputs", {}))
    context.channel, context.memory_mb = channel, request.get("memory_mb")
    context.tripwire = Tripwire.armed(probe, type(context))
    channel.send({"stage": "import"})
    try:
        module = _load(learner_file)
    except BaseException as error:  # noqa: BLE001 - anything at import time is the learner's
        channel.send({"stage": "done", "status": "import_error", "message": _import_message(learner_file, error)})
        return
    result = {"status": "ok"}
    try:
        context.tripwire.check()
        probe.run(module, context)
        context.tripwire.check()
    except Tampered as error:
        channel.send({"stage": "done", "status": "tampered", "message": str(error)})
        return
    except BaseException as error:  # noqa: BLE001 - a probe must still hand back what it saw
        result = {"status": "probe_error", "message": context.describe(error)}
    channel.send({"stage": "done", **result, "observations": context.observations}, context.tensors)


def _make_context(base: type) -> type:
    """ProbeContext plus a checkpoint and a tripwire check before every scenario."""
    class WatchedContext(base):
        channel: _Channel
        tripwire: "Tripwire"
        memory_mb: int | None

        @contextmanager
        def scenario(self, name: str):
            self.tripwire.check()
            self.channel.send({"stage": "scenario", "current": name, "observations": self.observations},
                              self.tensors)
            with super().scenario(name) as record:
                yield record

        def describe(self, error: BaseException) -> str:
            text = super().describe(error)
            if self.memory_mb and (isinstance(error, MemoryError) or "allocate memory" in str(error)):
                text += f" (the grader allows {self.memory_mb} MB of memory per exercise)"
            return text

    return WatchedContext


def _load(path: Path):
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing from the submission")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _import_message(path: Path, error: BaseException) -> str:
    if isinstance(error, FileNotFoundError) and not path.exists():
        return f"{path.name} was not found in the submission"
    if isinstance(error, SyntaxError):
        return f"{path.name} has a syntax error on line {error.lineno}: {error.msg}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return f"importing {path.name} raised {type(error).__name__}: {error}{where}"
