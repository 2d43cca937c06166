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


def kill_tagged(token: str, variable: str = TOKEN_VARIABLE, spare: int | None = None) -> None:
    """SIGKILL every process whose environment holds ``variable=token``, except ``spare``.

    Children inherit the variable, so this reaches descendants that left the process group.
    """
    needle = f"{variable}={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == spare:
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
