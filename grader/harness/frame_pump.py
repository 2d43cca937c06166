"""The supervisor's reading end of the learner process: its result frames and its output.

Frames are length-prefixed (``grader.harness.wire``): the pump keeps the last well-formed one
(each scenario's checkpoint, then the final one) and marks the run void on bytes that are not a
grader frame; of the learner's printed output it keeps only the tail, so printing megabytes
costs nothing but time.
"""
from __future__ import annotations

import os
import select
import time

from grader.harness.wire import HEADER, MAX_FRAME_BYTES, loads


class FramePump:
    """Reads the learner's frames and output; keeps the last well-formed frame and the tail."""

    def __init__(self, frames_fd: int, output_fd: int, tail_bytes: int) -> None:
        self._handlers = {frames_fd: self._on_frames, output_fd: self._on_output}
        self._buffer = bytearray()
        self._tail_bytes = tail_bytes
        self.frame: tuple[bytes, bytes] | None = None
        self.first_frame_at: float | None = None
        self.problem = ""
        self.tail = bytearray()
        self.output_bytes = 0

    def poll(self, timeout: float) -> None:
        if not self._handlers:
            time.sleep(timeout)
            return
        for fd in select.select(list(self._handlers), [], [], timeout)[0]:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                self._handlers[fd](chunk)
            else:
                os.close(fd)
                del self._handlers[fd]

    def drain(self, deadline: float) -> None:
        while self._handlers and time.monotonic() < deadline:
            self.poll(0.05)

    def _on_output(self, chunk: bytes) -> None:
        self.output_bytes += len(chunk)
        self.tail += chunk
        del self.tail[:-self._tail_bytes or None]

    def _on_frames(self, chunk: bytes) -> None:
        if self.problem:
            return
        self._buffer += chunk
        while len(self._buffer) >= HEADER.size:
            body_size, blob_size = HEADER.unpack_from(self._buffer)
            if max(body_size, blob_size) > MAX_FRAME_BYTES:
                self.problem = "bytes that are not a grader frame"
                return
            end = HEADER.size + body_size + blob_size
            if len(self._buffer) < end:
                return
            body = bytes(self._buffer[HEADER.size:HEADER.size + body_size])
            blob = bytes(self._buffer[HEADER.size + body_size:end])
            del self._buffer[:end]
            if not _is_frame(body):
                self.problem = "bytes that are not a grader frame"
                return
            self.frame = (body, blob)
            self.first_frame_at = self.first_frame_at or time.monotonic()


def _is_frame(body: bytes) -> bool:
    try:
        frame = loads(body)
    except ValueError:
        return False
    return isinstance(frame, dict) and frame.get("stage") in ("import", "scenario", "done")
