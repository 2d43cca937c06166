"""A cgroup of their own for learner processes: memory (shared memory and tmpfs pages included)
and process count capped by the kernel, not only by rlimits.

cgroup v2 (``memory.max``, ``pids.max`` in one folder under /sys/fs/cgroup) or v1 (folders under
``memory/`` and ``pids/``), whichever this machine lets the grader create; where it can create
neither (not root, a read-only /sys/fs/cgroup), ``create`` returns None and the child keeps only
``RLIMIT_DATA`` and the sandbox's size-capped /tmp and /dev/shm. A process enters with
``enter()`` (its own pid, from a ``preexec_fn`` or right after a fork); ``remove()`` kills what is
left inside and deletes the folders.
"""
from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PIDS_MAX = 512


@dataclass(frozen=True)
class ChildGroup:
    """The folders of one cgroup (one for v2, two for v1)."""

    folders: tuple[str, ...]

    def enter(self, pid: int = 0) -> None:
        """Move ``pid`` (0: the calling process) into every folder of the group."""
        for folder in self.folders:
            with open(os.path.join(folder, "cgroup.procs"), "w") as procs:
                procs.write(str(pid or os.getpid()))

    def remove(self) -> None:
        """Kill every process still inside, then delete the folders."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
        for folder in self.folders:
            try:
                os.rmdir(folder)
            except OSError:
                pass

    def pids(self) -> list[int]:
        found = set()
        for folder in self.folders:
            try:
                found |= {int(line) for line in Path(folder, "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                continue
        return sorted(found)


def create(memory_mb: int, pids_max: int = PIDS_MAX) -> ChildGroup | None:
    """A new cgroup capped at ``memory_mb`` and ``pids_max``, or None where none can be made."""
    name = f"looplab-{uuid.uuid4().hex[:12]}"
    limit = str(memory_mb * 1024 * 1024)
    try:
        if (ROOT / "cgroup.controllers").exists():
            return _create_v2(ROOT / name, limit, pids_max)
        return _create_v1(name, limit, pids_max)
    except OSError:
        return None


def _create_v2(folder: Path, limit: str, pids_max: int) -> ChildGroup:
    controllers = (ROOT / "cgroup.subtree_control").read_text().split()
    if "memory" not in controllers or "pids" not in controllers:
        raise OSError("the memory and pids controllers are not delegated here")
    folder.mkdir()
    group = ChildGroup((str(folder),))
    try:
        (folder / "memory.max").write_text(limit)
        (folder / "memory.swap.max").write_text("0")
        (folder / "pids.max").write_text(str(pids_max))
    except OSError:
        group.remove()
        raise
    return group


def _create_v1(name: str, limit: str, pids_max: int) -> ChildGroup:
    memory, pids = ROOT / "memory" / name, ROOT / "pids" / name
    memory.mkdir()
    group = ChildGroup((str(memory),))
    try:
        (memory / "memory.limit_in_bytes").write_text(limit)
        pids.mkdir()
        group = ChildGroup((str(memory), str(pids)))
        (pids / "pids.max").write_text(str(pids_max))
    except OSError:
        group.remove()
        raise
    return group
