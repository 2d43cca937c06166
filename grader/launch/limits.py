"""Resource limits for a child process that runs learner code, and dying with one's parent.

Importable on its own (the zygote loads this file by path): nothing here imports the grader.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
from dataclasses import dataclass

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """Per-exercise limits; the defaults leave room for 5 MNIST epochs on 2 slow cores."""

    wall_s: float = 300.0
    cpu_s: int = 600
    memory_mb: int = 6144
    file_mb: int = 64
    output_kb: int = 64
    scratch_mb: int = 256  # all files in the child's scratch folder together (the supervisor watches)

    def apply(self) -> None:
        """Set the limits on the current process (called in the child before exec)."""
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_s, self.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_DATA, (self.memory_mb * mb, self.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_mb * mb, self.file_mb * mb))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the thread that started it ends (Linux).

    For ``preexec_fn``: the parent must start the child from a thread that lives as long as the
    parent does (the main thread, or a pool thread that waits for the child).
    """
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
