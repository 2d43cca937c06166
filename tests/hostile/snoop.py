"""Looks for other learners' files around its working folder: everything under its scratch
folder and under any `looplab-*` folder next to it, reading each file for a "SECRET-" marker
(the batch test's learners carry one). When it reads any, train_step raises an error that says
how many; otherwise it returns 0.0."""
from pathlib import Path

MARKER = "SECRET-"


def _files():
    scratch = Path.cwd().parent
    yield from scratch.rglob("*")
    for sibling in scratch.parent.glob("looplab-*"):
        if sibling != scratch:
            yield from sibling.rglob("*")


def train_step(model, loss_fn, optimizer, x, y):
    me = Path(__file__).read_text()
    found = 0
    for path in _files():
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        found += text != me and MARKER in text
    if found:
        raise RuntimeError(f"snooped: read {found} other learners' files")
    return 0.0


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
