"""Grade mutants fast: one long-lived process keeps torch, pytest and the fork server loaded, and
answers "grade exercise exNN of this folder" over a Unix socket.

cosmic-ray runs its test command once per mutant; that command is ``mutant_client``, which only
forwards the request here, so a mutant costs its hidden checks, not a fresh interpreter.
"""
from __future__ import annotations

import json
import os
import shutil
import socketserver
import subprocess
from dataclasses import dataclass
from pathlib import Path

from grader.grading.grade import GradeOptions, grade_submission
from grader.results import FAILED


@dataclass(frozen=True)
class MutantVerdict:
    """What the hidden checks said of one mutant: the checks it failed, or why none ran."""

    failed: tuple[str, ...] = ()
    error: str = ""

    @property
    def killed(self) -> bool:
        return bool(self.failed or self.error)


def grade_mutant(folder: Path, key: str, seed: int) -> MutantVerdict:
    """The hidden checks of ``key`` on ``folder`` (trusted code: the kit's own solutions)."""
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)  # never a stale compiled mutant
    result = grade_submission(folder, GradeOptions(sandbox="none", exercises=(key,), seed=seed))
    failed = tuple(check.name for check in result.checks if check.status == FAILED)
    return MutantVerdict(failed, result.error or "")


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        key = self.rfile.readline().decode().strip()
        verdict = grade_mutant(self.server.folder, key, self.server.seed)
        self.wfile.write(json.dumps({"failed": verdict.failed, "error": verdict.error}).encode())


class MutantGradingServer(socketserver.UnixStreamServer):
    """Serves one request at a time, in the calling thread (pytest is not thread-safe)."""

    def __init__(self, socket_path: Path, folder: Path, seed: int) -> None:
        self.folder, self.seed = folder, seed
        socket_path.unlink(missing_ok=True)
        super().__init__(str(socket_path), _Handler)
        self.timeout = 0.2

    def serve_while(self, process: subprocess.Popen) -> int:
        """Answer requests until ``process`` (cosmic-ray's run) exits; its exit status."""
        while process.poll() is None:
            self.handle_request()
        return process.returncode


def no_bytecode() -> None:
    """Children must compile every mutant afresh: same-size edits within a second fool .pyc."""
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
