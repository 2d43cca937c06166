"""Optional stricter sandbox for children: bubblewrap (Debian package ``bubblewrap``).

With ``--sandbox bwrap`` the child sees the whole file system read-only, a private /tmp, no
network, its own PID namespace, and a writable scratch folder only; it dies with its parent.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

SANDBOXES = ("none", "bwrap", "auto")


class SandboxUnavailable(RuntimeError):
    """The requested sandbox program is not installed."""


def resolve(name: str) -> str:
    """``auto`` becomes ``bwrap`` where bubblewrap is installed, else ``none``."""
    if name == "auto":
        return "bwrap" if shutil.which("bwrap") else "none"
    if name == "bwrap" and not shutil.which("bwrap"):
        raise SandboxUnavailable("--sandbox bwrap needs bubblewrap: apt-get install bubblewrap")
    return name


def sandbox_command(name: str, command: list[str], scratch: Path) -> list[str]:
    """Wrap ``command`` for the sandbox ``name`` (``none`` returns it unchanged)."""
    if resolve(name) == "none":
        return command
    repo = Path(__file__).resolve().parent.parent
    keep_python = ["--ro-bind", sys.prefix, sys.prefix] if Path(sys.prefix).is_relative_to(repo) else []
    return [
        "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
        "--tmpfs", "/tmp", "--tmpfs", str(repo), *keep_python,
        "--bind", str(scratch), str(scratch),
        "--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session",
        *command,
    ]
