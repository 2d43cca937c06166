"""Counts what a sandboxed child should not see and returns the count as train_step's "loss":
other copies of the course or users' files (/work, /home, /root, /run), other grading folders in
/tmp, pytest's folders, and a host Unix socket (/tmp/looplab-hostile.sock, made by the test).
The grading process's data folder (/tmp/looplab-data-*, exercise 8's digits) is shown on purpose."""
import os
import socket
import sys
from pathlib import Path

SEEN = []


PYTHON = tuple(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix))


def _files_in(folder: str, depth: int = 4) -> list[str]:
    """Files below ``folder`` that are not part of the Python installation the child runs on
    (the sandbox shows that installation, and so the names of the folders leading to it)."""
    found = []
    for root, folders, files in os.walk(folder):
        if os.path.realpath(root).startswith(PYTHON) or root.count(os.sep) > depth:
            folders[:] = []
            continue
        found += [os.path.join(root, name) for name in files]
    return found


def _count() -> float:
    for folder in ("/work", "/home", "/root", "/run", "/srv", "/mnt", "/opt"):
        if _files_in(folder):
            SEEN.append(folder)
    others = [p for p in Path("/tmp").glob("looplab-*") if p.is_dir() and not p.name.startswith("looplab-data-")
              and p.resolve() not in Path.cwd().resolve().parents]
    if others:
        SEEN.append("/tmp/looplab-*")
    if list(Path("/tmp").glob("pytest-of-*")):
        SEEN.append("pytest folders")
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.connect("/tmp/looplab-hostile.sock")
            SEEN.append("socket")
    except OSError:
        pass
    print("seen:", SEEN)
    return float(len(SEEN))


def train_step(model, loss_fn, optimizer, x, y):
    return _count()


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
