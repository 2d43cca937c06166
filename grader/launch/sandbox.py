"""Isolation of learner code: what a child process may see, write and reach.

Isolation is on by default. ``--sandbox`` chooses how (``auto`` picks the first that works here):

``bwrap`` (bubblewrap, Debian package ``bubblewrap``): the child sees only what it needs,
  read-only: the system folders (/usr, /lib, /lib64, /bin, /sbin, /etc), the Python installation
  it runs on (prefix and site-packages, also when they sit inside a checkout, like a ``.venv``),
  and the data folders a hidden suite hands it (exercise 8's permuted training digits); read-write
  its own scratch folder (a copy of the learner's module and the supervisor's result folder). It
  gets an empty private /tmp and /dev/shm on size-capped tmpfs, a minimal /dev (plus the NVIDIA
  devices for ``--device cuda``), its own /proc, no network, its own PID, IPC and UTS namespaces
  and no capabilities, even when the grader runs as root. No checkout, no other course copies,
  no submissions, no results, no home, no /run, no host sockets.
``uid`` (the fallback where user namespaces are not available, e.g. some containers; needs the
  grader to run as root): the child runs as a user id of its own (one per child, unused by any
  account), in its own session, with no supplementary groups. It cannot write the Python
  environment, the checkout, the results store, the outputs or other learners' files (all owned
  by root and not world-writable), cannot signal or read the memory of the grader or of other
  children, and whatever it leaves in /tmp or /dev/shm is removed afterwards. It can still read
  world-readable files and reach the network.
``none`` runs learner code as the grader's own user: only for code you trust (your own
  solutions); the command line warns when it is chosen.

Memory and process count are capped for both sandboxes by a cgroup of the child's own where the
grader may create one (``grader.launch.cgroup``), so shared memory and tmpfs count against the limit;
elsewhere the tmpfs size caps and ``RLIMIT_DATA`` remain.
"""
from __future__ import annotations

import functools
import glob
import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterable

SANDBOXES = ("auto", "bwrap", "uid", "none")
TMP_BYTES = 256 * 1024 * 1024
SHM_BYTES = 64 * 1024 * 1024
_SYSTEM_READ_ONLY = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
_FIRST_UID, _UID_COUNT = 200_000, 60_000
NO_ISOLATION_WARNING = ("warning: --sandbox none runs learner code as your own user, with your "
                        "files, results and network in reach: use it only for code you trust")


class SandboxUnavailable(RuntimeError):
    """The requested isolation cannot be had on this machine."""


def resolve(name: str) -> str:
    """``auto`` becomes ``bwrap`` where bubblewrap works, else ``uid`` where the grader is root."""
    if name not in SANDBOXES:
        raise SandboxUnavailable(f"--sandbox {name} is not one of {', '.join(SANDBOXES)}")
    if name == "auto":
        if bwrap_works():
            return "bwrap"
        if can_switch_uid():
            return "uid"
        raise SandboxUnavailable(
            "no isolation is available here: install bubblewrap (apt-get install -y bubblewrap), or "
            "run the grader as root for the separate-user fallback, or pass --sandbox none to grade "
            "without isolation (trusted code only)")
    if name == "bwrap" and not bwrap_works():
        raise SandboxUnavailable("--sandbox bwrap needs a working bubblewrap (apt-get install -y "
                                 "bubblewrap) and user namespaces")
    if name == "uid" and not can_switch_uid():
        closed = closed_to_others() if os.geteuid() == 0 else ""
        raise SandboxUnavailable(
            f"--sandbox uid runs each child as a user of its own, who cannot enter {closed} to run "
            "this Python: install Python where other users can read it, or use --sandbox bwrap"
            if closed else "--sandbox uid needs the grader to run as root")
    return name


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """bubblewrap is installed and can make the namespaces the sandbox needs here."""
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/usr", "/usr", *_symlinked_system(), "--proc", "/proc",
             "--dev", "/dev", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--cap-drop", "ALL",
             "--die-with-parent", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def can_switch_uid() -> bool:
    """Root can give a child a user id of its own, if that user can run this Python."""
    return hasattr(os, "setuid") and os.geteuid() == 0 and not closed_to_others()


def closed_to_others() -> str:
    """The first folder on the way to this Python that other users cannot pass, or ''."""
    for start in (Path(sys.executable).resolve(), Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()):
        for folder in reversed(start.parents):
            try:
                if not folder.stat().st_mode & stat.S_IXOTH:
                    return str(folder)
            except OSError:
                return str(folder)
    return ""


def child_uid() -> int:
    """A user id for one child, unused by any account: children cannot signal each other."""
    return _FIRST_UID + secrets.randbelow(_UID_COUNT)


def sandbox_command(name: str, command: list[str], scratch: Path, cwd: Path | None = None,
                    device: str = "cpu", read_only: Iterable[str] = ()) -> list[str]:
    """Wrap ``command`` in bubblewrap for ``bwrap``; other sandboxes return it unchanged."""
    if name != "bwrap":
        return command
    shown = _outermost([*_python_paths(), *(Path(p).resolve() for p in read_only)])
    return [
        "bwrap", *_system_view(), "--proc", "/proc", "--dev", "/dev", *_gpu_devices(device),
        "--size", str(TMP_BYTES), "--tmpfs", "/tmp", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",
        *[arg for path in shown for arg in ("--ro-bind", str(path), str(path))],
        "--bind", str(scratch), str(scratch), *(["--chdir", str(cwd)] if cwd else []),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
        "--die-with-parent", "--new-session",
        *command,
    ]


def _system_view() -> list[str]:
    binds = [arg for path in _SYSTEM_READ_ONLY if Path(path).is_dir() and not Path(path).is_symlink()
             for arg in ("--ro-bind", path, path)]
    return binds + _symlinked_system()


def _symlinked_system() -> list[str]:
    """Merged-/usr systems link /bin, /lib... into /usr: the same links inside the sandbox."""
    return [arg for path in _SYSTEM_READ_ONLY[1:] if Path(path).is_symlink()
            for arg in ("--symlink", os.readlink(path), path)]


def _outermost(paths: Iterable[Path]) -> list[Path]:
    """The paths, without those inside another one, outermost first."""
    unique = sorted(set(paths), key=lambda p: (len(p.parts), str(p)))
    return [p for i, p in enumerate(unique) if not any(p.is_relative_to(q) for q in unique[:i])]


def _python_paths() -> list[Path]:
    """The interpreter's installation and its site-packages (a ``.venv`` inside a checkout too)."""
    paths = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths |= {Path(p).resolve() for p in sys.path if "-packages" in p and Path(p).is_dir()}
    paths.add(Path(sys.executable).resolve().parent)
    system = tuple(Path(p) for p in _SYSTEM_READ_ONLY)
    return sorted(p for p in paths if not any(p.is_relative_to(s) for s in system))


def _gpu_devices(device: str) -> list[str]:
    if not device.startswith("cuda"):
        return []
    nodes = [arg for node in sorted(glob.glob("/dev/nvidia*")) for arg in ("--dev-bind", node, node)]
    drivers = [arg for path in ("/usr/local/nvidia", "/usr/local/cuda", "/proc/driver/nvidia", "/sys")
               if Path(path).exists() for arg in ("--ro-bind", path, path)]
    return nodes + drivers
