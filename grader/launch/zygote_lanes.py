"""Lanes: the fork servers of one grading process, so that its children can run side by side.

A zygote (``grader.launch.zygote``) forks one child at a time: that is what lets it tell a
finished child's leftovers from everything else and clean its sandbox's ``/tmp`` between
children. A grading with cores to spare keeps ``children_at_once(threads)`` zygotes instead of
one, each with its own sandbox, token and cgroup, so the long MNIST child runs in one lane while
the other exercises' children run in the other. A child takes a lane with ``lease``: an
idle zygote, a new one while fewer than the lanes are running, or else it waits for one to
finish. Every zygote still serves one learner: one grading process grades one submission.
"""
from __future__ import annotations

import atexit
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from grader.launch.limits import Limits
from grader.launch.zygote import Zygote, ZygoteError, enabled

MAX_LANES = 2  # one for the long MNIST child, one for every other child


def children_at_once(threads: int) -> int:
    """How many children a grading with ``threads`` cores runs side by side: one core stays the
    grading process's own (collecting, judging, replaying), the others take a lane each, up to
    MAX_LANES. On 2 cores that is one lane: measured there, a second zygote's ``import torch``
    (about 2 s of CPU) cost more than running two children at once gained."""
    return max(1, min(MAX_LANES, threads - 1))


class _Lanes:
    """The zygotes of one kind (inside bubblewrap or not), each leased to one child at a time."""

    def __init__(self, sandboxed: bool) -> None:
        self.sandboxed = sandboxed
        self.wanted = 1
        self.servers: list[Zygote] = []
        self.busy: set[Zygote] = set()  # the leased ones
        self.changed = threading.Condition()

    def start(self, count: int) -> None:
        """Keep up to ``count`` zygotes, starting the missing ones now."""
        with self.changed:
            self.wanted = max(self.wanted, count)
            self._drop_dead()
            while len(self.servers) < self.wanted:
                self._add()

    def acquire(self) -> Zygote:
        with self.changed:
            while True:
                self._drop_dead()
                idle = [server for server in self.servers if server not in self.busy]
                if not idle and len(self.servers) < self.wanted:
                    idle = [self._add()]
                if idle:
                    self.busy.add(idle[0])
                    return idle[0]
                self.changed.wait()

    def release(self, server: Zygote) -> None:
        with self.changed:
            self.busy.discard(server)
            self.changed.notify()

    def retire(self, server: Zygote) -> None:
        """Take a zygote out of its lane (dead or out of step); the next lease starts a fresh one."""
        with self.changed:
            if server in self.servers:
                self.servers.remove(server)
            self.busy.discard(server)
            self.changed.notify()
        server.close()

    def close(self) -> None:
        with self.changed:
            servers, self.servers = self.servers, []
            self.busy.clear()
            self.wanted = 1
        for server in servers:
            server.close()

    def _add(self) -> Zygote:
        server = Zygote(self.sandboxed)
        self.servers.append(server)
        atexit.register(server.close)
        return server

    def _drop_dead(self) -> None:
        for server in [s for s in self.servers if not s.alive and s not in self.busy]:
            self.servers.remove(server)
            server.close()


_lanes = {sandboxed: _Lanes(sandboxed) for sandboxed in (False, True)}


def prestart(device: str = "cpu", sandbox: str = "uid", lanes: int = 1) -> None:
    """Start this process's ``lanes`` zygotes now, in the background, if they will be used;
    never raises.

    Called early (before the parent's own imports) it overlaps the zygotes' ``import torch``
    with the parent's imports and collection.
    """
    if enabled(device, sandbox):
        try:
            _lanes[sandbox == "bwrap"].start(lanes)
        except OSError:
            pass


@contextmanager
def lease(device: str, sandbox: str, read_only_paths=()) -> Iterator[Zygote | None]:
    """A zygote to fork this child, held until the child has ended; None for the spawn path."""
    if not enabled(device, sandbox):
        yield None
        return
    lanes = _lanes[sandbox == "bwrap"]
    try:
        server = lanes.acquire()
    except OSError:
        yield None
        return
    try:
        yield server if server.serves(read_only_paths) else None
    finally:
        lanes.release(server)


def run_forked(server: Zygote, request_file: Path, cwd: Path, output: Path, limits: Limits,
               uid: int | None = None) -> tuple[int, bool]:
    """Run one child through ``server``; raises ZygoteError if it cannot (it is then replaced)."""
    try:
        return server.run(request_file, cwd, output, limits, uid)
    except (TimeoutError, ZygoteError) as error:
        _lanes[server.sandboxed].retire(server)  # out of step or dead: the next lease starts afresh
        raise ZygoteError(str(error) or "the zygote did not answer in time") from error


def servers(sandboxed: bool) -> list[Zygote]:
    """The zygotes running now (for tests and diagnostics)."""
    with _lanes[sandboxed].changed:
        return list(_lanes[sandboxed].servers)


def close_all() -> None:
    """Stop every zygote of this process (a worker calls it before it exits)."""
    for lanes in _lanes.values():
        lanes.close()
