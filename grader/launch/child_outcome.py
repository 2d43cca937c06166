"""What came back from one child process, as plain data: no grader module is needed to read it.

The launcher (``grader.launch.child_launcher``) makes one per child; the hidden suites judge it
(``grader.grading.judging``).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ChildOutcome:
    """What came back from one child: a status, a learner-facing message, and plain data."""

    # ok | import_error | probe_error | timeout | cpu | file_size | crashed | no_result | tampered | forged
    status: str
    message: str = ""
    observations: dict = field(default_factory=dict)
    tensors: dict = field(default_factory=dict)
    output_tail: str = ""
    wall_s: float = 0.0
