"""The line protocol of a server process on pipes: requests on its stdin, one reply a line on
its stdout, each read with a deadline (the zygote and grade-all's worker server speak it)."""
from __future__ import annotations

import os
import select
import subprocess
import time


class LinePipe:
    """Talk to ``process`` (started with stdin and stdout pipes); ``error`` is raised, naming
    ``who``, when it is gone or answers out of turn; ``TimeoutError`` when a deadline passes."""

    def __init__(self, process: subprocess.Popen, error: type[Exception], who: str) -> None:
        self._process, self._error, self._who = process, error, who
        self._buffer = b""

    def send(self, line: str) -> None:
        try:
            self._process.stdin.write(line.encode() + b"\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise self._error(f"{self._who} is gone") from error

    def expect(self, word: str, deadline: float) -> str:
        """The rest of the next line, which must start with ``word``."""
        line = self.read_line(deadline)
        head, _, value = line.partition(" ")
        if head != word:
            raise self._error(f"{self._who} answered {line!r}, expected {word}")
        return value

    def read_line(self, deadline: float) -> str:
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                raise self._error(f"{self._who} ended")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace")
