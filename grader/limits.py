"""Resource limits for a child process that runs learner code."""
from __future__ import annotations

import resource
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-exercise limits; the defaults leave room for 5 MNIST epochs on 2 slow cores."""

    wall_s: float = 300.0
    cpu_s: int = 600
    memory_mb: int = 6144
    file_mb: int = 64
    output_kb: int = 64

    def apply(self) -> None:
        """Set the limits on the current process (called in the child before exec)."""
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_s, self.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_DATA, (self.memory_mb * mb, self.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_mb * mb, self.file_mb * mb))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
