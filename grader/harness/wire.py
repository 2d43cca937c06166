"""The pipe between the learner process and its supervisor: frame layout and raw OS calls.

A frame is a ``>II`` header (JSON length, tensor-blob length), the JSON, then a ``torch.save``
blob. Bound at import, before any learner code runs, so learner code cannot swap them out.
"""
from __future__ import annotations

import ctypes
import json
import os
import struct

HEADER = struct.Struct(">II")  # JSON length, tensor blob length
MAX_FRAME_BYTES = 32 * 1024 * 1024
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
dumps, loads = json.dumps, json.loads  # bound before learner code can patch the json module


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's process-group kill still applies
        pass
