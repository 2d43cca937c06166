"""Killing what a child left running: its process group, and every process carrying a token."""
from __future__ import annotations

import os
import signal
from pathlib import Path

TOKEN_VARIABLE = "LOOPLAB_CHILD_TOKEN"


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group; nothing happens if it is already gone."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tagged(token: str, variable: str = TOKEN_VARIABLE, spare=()) -> None:
    """SIGKILL every process whose environment holds ``variable=token``, except the pids in
    ``spare``.

    Children inherit the variable, so this reaches descendants that left the process group.
    """
    needle = f"{variable}={token}".encode()
    spared = {spare} if isinstance(spare, int) else set(spare)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in spared:
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def parent_of(pid: int) -> int | None:
    """The parent pid of ``pid`` (/proc/PID/stat), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
