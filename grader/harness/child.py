"""The child side of one exercise: a supervisor process, and the learner process forked from it.

``main(request.json)`` runs in the process the parent started (spawned with ``BOOT``, or forked
by the zygote). That process is the *supervisor*: it never imports learner code. It forks the
*learner process*, which imports the learner's module and runs the exercise's probe::

    supervisor (main)           reads the request and a one-time key; the only writer of results
      learner process (fork)    imports learner code, runs the probe, streams frames on a pipe
        anything it starts      DataLoader workers, subprocesses, ``setsid`` daemons...

The learner process's side is in ``grader.harness.learner``, the tripwire that notices patched
functions in ``grader.harness.tripwire``, and the frame layout in ``grader.harness.wire``.

The supervisor is a child subreaper (``PR_SET_CHILD_SUBREAPER``): whatever the learner starts
becomes its child once orphaned, even after ``setsid`` or with a cleared environment, and it kills
all of them before writing anything. It enforces the wall-time limit, and it keeps only the tail
of the learner's output (so printing megabytes costs nothing but time).

Result channel: the learner process sends length-prefixed frames (JSON, then a ``torch.save``
blob of tensors) on a pipe made before learner code is imported: one before every scenario (a
checkpoint, so a hang or a crash in one function keeps the results of the earlier ones) and one at
the end. Once the learner's process tree is dead, the supervisor writes ``observations.json`` and
``tensors.pt`` from the last well-formed frame; the JSON carries an HMAC-SHA256 keyed with a
one-time key that the parent wrote to ``out/key``. The supervisor reads the request and the key,
deletes both files before forking, and the learner process zeroes its copy of the key first
thing. So learner code never holds the key (and, in the bubblewrap sandbox, cannot read the
supervisor's memory either: it is not dumpable and the sandbox drops capabilities), and a result
file written by learner code (at import, from a thread, from a leftover process, from another
learner's child) fails the parent's check. Bytes that are not a frame, written into the pipe,
void the exercise.

Residual risk: learner code shares its process with the probe and the spy, so it can patch them,
or write a well-formed frame into the pipe itself, and so report fake events or types. A tripwire
refuses the result when torch's or the harness's functions were replaced, but code that edits
objects in place (the spy's event list, found through the stack) is not caught. That is why the
parent never takes the child's word for what it can recompute: weights are compared against its
own replay from the same start on data the learner never saw, and losses against its own forward
pass. Without the sandbox, learner code also runs as the grader's own user: as root it could
read the supervisor's memory or kill it (then no result comes back, and the parent's own kills are
the backstop); grade untrusted batches with ``--sandbox bwrap``.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import signal
import sys
import time
from pathlib import Path

from grader.harness.frame_pump import FramePump
from grader.harness.learner import learner_process
from grader.harness.wire import PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, dumps, loads, prctl, write_all

RESULT_FILE = "observations.json"
TENSOR_FILE = "tensors.pt"
KEY_FILE = "key"
WALL_MARGIN_S = 1.0  # the supervisor stops the learner this long before the parent's own limit
STARTUP_S = 120.0  # the harness's own start-up (import torch), which the wall limit does not count


def main(request_path: str) -> None:
    """Supervise one exercise: fork the learner process, watch it, write the verified result."""
    started = time.monotonic()
    prctl(PR_SET_DUMPABLE, 0)  # no /proc/PID/mem for same-user processes without privileges
    request = loads(Path(request_path).read_text())
    os.unlink(request_path)  # learner code learns neither the hidden inputs nor where results go
    out_dir = Path(request["out_dir"])
    key = _take_key(out_dir / KEY_FILE)
    _forget_grader_checkout()
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    pid, pump = _fork_learner(request, key)
    budget = max(0.5, float(request.get("wall_s", 300)) - WALL_MARGIN_S)
    disk = _DiskWatch(out_dir.parent, int(request.get("scratch_mb", 256)))
    ending = _watch(pid, pump, started + STARTUP_S, budget, _still_running(request.get("grader")), disk)
    if ending.get("orphaned"):
        return
    _write_result(out_dir, bytes(key), pump, ending)
    write_all(1, bytes(pump.tail))


def _fork_learner(request: dict, key: bytearray) -> tuple[int, FramePump]:
    """Start the learner process; it gets the write ends of the frame and output pipes."""
    import torch  # noqa: F401 - imported once, before the fork, for the learner process

    frames_r, frames_w = os.pipe()
    output_r, output_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    supervisor = os.getpid()
    pid = os.fork()
    if pid == 0:
        key[:] = bytes(len(key))
        os.close(frames_r)
        os.close(output_r)
        learner_process(request, supervisor, frames_w, output_w)
    os.close(frames_w)
    os.close(output_w)
    return pid, FramePump(frames_r, output_r, int(request.get("output_kb", 64)) * 1024)


# -- the supervisor ------------------------------------------------------------------------

def _take_key(path: Path) -> bytearray:
    """Read the one-time key into a bytearray (no other copy) and delete its file."""
    key = bytearray(64)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return bytearray()
    try:
        count = os.readv(fd, [key])
    finally:
        os.close(fd)
        os.unlink(path)
    del key[count:]
    return key


def _forget_grader_checkout() -> None:
    """Drop an editable install's import hooks, which would make the real grader importable."""
    def foreign(item) -> bool:
        return "__editable__" in (getattr(item, "__module__", "") or "")

    sys.meta_path[:] = [finder for finder in sys.meta_path if not foreign(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not foreign(hook)]
    sys.path[:] = [entry for entry in sys.path if "__editable__" not in entry]
    sys.path_importer_cache.clear()
    for name in [name for name in sys.modules if name.startswith("__editable__")]:
        del sys.modules[name]


def _watch(pid: int, pump: FramePump, startup_deadline: float, budget: float,
           grader_alive=lambda: True, disk: "_DiskWatch | None" = None) -> dict:
    """Wait for the learner process (or its time limit), then kill everything it left behind.

    The wall-time budget starts with the first frame, when the harness is ready and learner code
    is about to be imported: the grader's own start-up (import torch) is not the learner's time.
    """
    parent = os.getppid()
    ending: dict = {"timed_out": False}
    status = None
    while status is None:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        deadline = pump.first_frame_at + budget if pump.first_frame_at else startup_deadline
        if done:
            status = wait_status
        elif os.getppid() != parent or not grader_alive():
            ending["orphaned"] = True
            break
        elif time.monotonic() >= deadline:
            ending["timed_out"] = True
            break
        elif disk is not None and disk.over():
            ending["disk"] = True
            break
        else:
            pump.poll(0.05)
    if status is None:
        _kill(pid)
        status = os.waitpid(pid, 0)[1]
    ending["returncode"] = os.waitstatus_to_exitcode(status)
    ending["swept"] = _sweep()
    pump.drain(deadline=time.monotonic() + 1.0)
    ending["channel"] = pump.problem or "ok"
    ending["output_bytes"] = pump.output_bytes
    return ending


class _DiskWatch:
    """The size of the child's scratch folder (on the host's disk), looked at twice a second: a
    learner that writes more than ``limit_mb`` there is stopped (RLIMIT_FSIZE caps one file only)."""

    def __init__(self, folder: Path, limit_mb: int, every_s: float = 0.5) -> None:
        self._folder, self._limit, self._every = folder, limit_mb * 1024 * 1024, every_s
        self._next = time.monotonic() + every_s

    def over(self) -> bool:
        if time.monotonic() < self._next:
            return False
        self._next = time.monotonic() + self._every
        return _folder_bytes(self._folder, self._limit) > self._limit


def _folder_bytes(folder: Path, stop_above: int) -> int:
    """The bytes of the regular files below ``folder`` (links not followed), counted until
    ``stop_above`` is passed."""
    total, pending = 0, [str(folder)]
    while pending and total <= stop_above:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


def _still_running(grader: dict | None):
    """A check that the grading process (not only this one's parent) is still there.

    Between them may sit a fork server that outlives the grader while it waits for this child.
    The grader names itself by pid and start time (pids are reused); without a name (in a PID
    namespace, where the grader's pid means nothing) the check always passes.
    """
    if not grader:
        return lambda: True
    return lambda: process_start(int(grader["pid"])) == grader["start"]


def process_start(pid: int) -> int | None:
    """The start time of a process in clock ticks since boot (/proc/PID/stat), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return None if fields[0] == b"Z" else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _sweep(limit_s: float = 5.0) -> int:
    """Kill every process reparented to this subreaper until none is left; returns how many."""
    me, killed, deadline = os.getpid(), 0, time.monotonic() + limit_s
    while time.monotonic() < deadline:
        children = _children_of(me)
        if not children:
            break
        for pid in children:
            _kill(pid)
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        killed += len(children)
    return killed


def _children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def _write_result(out_dir: Path, key: bytes, pump: FramePump, ending: dict) -> None:
    """``tensors.pt`` and ``observations.json`` (body + HMAC), each replaced atomically."""
    body_bytes, blob = pump.frame if pump.frame else (b"null", b"")
    digest = hashlib.sha256(blob).hexdigest() if pump.frame else None
    if pump.frame:
        _replace(out_dir / TENSOR_FILE, blob)
    body = dumps({"frame": loads(body_bytes), "exit": ending, "tensors_sha256": digest})
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    _replace(out_dir / RESULT_FILE, dumps({"body": body, "mac": mac}).encode())


def _replace(path: Path, data: bytes) -> None:
    """Written once the learner's processes are dead: whatever they left under the partial name
    (a link to /dev/zero, a FIFO) is removed first, and the new file is created, never followed."""
    partial = path.with_name(path.name + ".partial")
    try:
        os.unlink(partial)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        import shutil

        shutil.rmtree(partial, ignore_errors=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)
    os.replace(partial, path)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":  # pragma: no cover - the parent uses BOOT
    main(sys.argv[1])
