"""Optional stricter sandbox for children: bubblewrap (Debian package ``bubblewrap``).

Install it with ``apt-get install -y bubblewrap``. With ``--sandbox bwrap`` the child sees:

- the whole file system read-only, except its own scratch folder (read-write);
- empty folders in place of the grader package, of this checkout (solutions, hidden suites,
  data) and of the submission folders (its own and everyone else's); the Python installation and
  the folders a hidden suite names as read-only inputs (MNIST) are shown again, read-only, when
  they live inside one of them or in /tmp (a ``.venv`` in the checkout, ``data/``);
- a private, size-limited /tmp, a minimal /dev (plus the NVIDIA devices for ``--device cuda``),
  its own /proc;
- no network, its own PID, IPC and UTS namespaces, no capabilities even when the grader runs as
  root (so it cannot unmount what hides the checkout or remount anything read-write); it dies
  with its parent.

Without the sandbox the child runs as the grader's own user: it can read what that user can read
and write what that user can write, limited only by the resource limits and the parent's checks.
Grade untrusted submissions with ``--sandbox bwrap``.
"""
from __future__ import annotations

import glob
import shutil
import sys
from pathlib import Path
from typing import Iterable

SANDBOXES = ("none", "bwrap", "auto")
TMP_BYTES = 512 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent
_SYSTEM = tuple(Path(p) for p in ("/", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc",
                                  "/dev", "/proc", "/sys", "/opt", "/var", "/tmp", "/run", "/home"))


class SandboxUnavailable(RuntimeError):
    """The requested sandbox program is not installed."""


def resolve(name: str) -> str:
    """``auto`` becomes ``bwrap`` where bubblewrap is installed, else ``none``."""
    if name == "auto":
        return "bwrap" if shutil.which("bwrap") else "none"
    if name == "bwrap" and not shutil.which("bwrap"):
        raise SandboxUnavailable("--sandbox bwrap needs bubblewrap: apt-get install -y bubblewrap")
    return name


def sandbox_command(name: str, command: list[str], scratch: Path, cwd: Path | None = None,
                    device: str = "cpu", hide: Iterable[Path] = (),
                    read_only: Iterable[str] = ()) -> list[str]:
    """Wrap ``command`` for the sandbox ``name`` (``none`` returns it unchanged)."""
    if resolve(name) == "none":
        return command
    hidden = hidden_paths(hide)
    covered = [*hidden, Path("/tmp")]  # what the sandbox replaces: shown again where needed
    shown = _outermost(p for p in _python_paths() + [Path(r).resolve() for r in read_only]
                       if any(p.is_relative_to(c) for c in covered))
    return [
        "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", *_gpu_devices(device), "--proc", "/proc",
        "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
        *[arg for path in hidden for arg in ("--tmpfs", str(path))],
        *[arg for path in shown for arg in ("--ro-bind", str(path), str(path))],
        "--bind", str(scratch), str(scratch), *(["--chdir", str(cwd)] if cwd else []),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
        "--die-with-parent", "--new-session",
        *command,
    ]


def hidden_paths(extra: Iterable[Path] = ()) -> list[Path]:
    """What the sandbox replaces by an empty folder: the grader, its checkout, ``extra``."""
    candidates = [_PACKAGE, *_checkout(), *(Path(p).resolve() for p in extra)]
    # never hide / or a system folder (nor anything above one)
    return _outermost(path for path in candidates
                      if not any(system.is_relative_to(path) for system in _SYSTEM))


def _outermost(paths: Iterable[Path]) -> list[Path]:
    """The paths, without those inside another one, outermost first."""
    unique = sorted(set(paths), key=lambda p: (len(p.parts), str(p)))
    return [p for i, p in enumerate(unique) if not any(p.is_relative_to(q) for q in unique[:i])]


def _checkout() -> list[Path]:
    """This source checkout (for an editable install), where solutions and data live."""
    root = _PACKAGE.parent
    return [root] if (root / "pyproject.toml").is_file() else []


def _python_paths() -> list[Path]:
    """The interpreter's installation, which may sit inside a hidden folder (``.venv``)."""
    paths = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths |= {Path(p).resolve() for p in sys.path if "site-packages" in p and Path(p).is_dir()}
    return sorted(paths)


def _gpu_devices(device: str) -> list[str]:
    if not device.startswith("cuda"):
        return []
    return [arg for node in sorted(glob.glob("/dev/nvidia*")) for arg in ("--dev-bind", node, node)]
