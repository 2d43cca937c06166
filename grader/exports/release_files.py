"""Texts written into the learner bundle by ``looplab release`` (kept as code: always packaged)."""
from __future__ import annotations

README = """\
# looplab: the PyTorch training loop, one exercise at a time

Ten short exercises take you from a loop written by hand in Python and NumPy to MNIST:
forward, loss, zero_grad, backward, step; epochs and minibatches; loss averaged by sample count;
train()/eval() and no_grad; devices; keeping the best checkpoint; logits; repairing the classic
bugs; gradient accumulation.

## Set up (once)

```bash
make install data             # .venv with torch, torchvision and pytest; MNIST in data/
source .venv/bin/activate
```

Without `make`: `python3 -m venv .venv && .venv/bin/pip install torch torchvision && .venv/bin/pip
install -e . && .venv/bin/looplab data`. Install `torch` and `torchvision` in one command so pip
picks a matching pair. Offline, `looplab data --mirror DIR` copies MNIST from a folder holding
the four files (see `data/README.md`); only exercise 8 needs it.

## Work

```bash
looplab watch                 # re-runs the exercise you are on every time you save it
pytest exercises/             # every exercise, with a progress table and your next hint
pytest exercises/ -m ex02     # one exercise
looplab hint                  # the next hint for your first failing test, one level deeper each time
looplab progress              # the table, from your last runs
```

Open `exercises/ex01_loop_by_hand.py`, read the problem at the top and replace each `TODO`
(keep the function names and signatures). A failing test says what your function returned and
what was expected, and an error points at your line; the table after the last test shows what
passes and the next step, with the hint for the first failing test. The hints sit beside each
exercise in `exercises/exNN_*.hint.md`, from a nudge to the answer.

## Hand in

Hand in your `exercises/exNN_*.py` files the way your course asks (a folder, a zip, or an upload
to Gradescope). The grader runs its own checks, with data your code has not seen: passing the
visible tests here is a good sign, not a guarantee.
"""

MAKEFILE = """\
PYTHON ?= python3
BIN := .venv/bin

install:
\t$(PYTHON) -m venv .venv
\t$(BIN)/pip install --upgrade pip
\t$(BIN)/pip install torch torchvision
\t$(BIN)/pip install -e .
\t$(BIN)/python -c "import torch, torchvision"

data:
\t$(BIN)/looplab data $(if $(MNIST_MIRROR),--mirror $(MNIST_MIRROR))

test:
\t$(BIN)/pytest exercises/

.PHONY: install data test
"""

GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n.pytest_cache/\n*.egg-info/\ndata/MNIST/\nexercises/.looplab/\n"

DATA_README = """\
# Data

Exercise 8 trains on MNIST. Put it here once, from the bundle's root:

    looplab data                  # downloads the four files into data/MNIST/raw and checks them
    looplab data --mirror DIR     # or copies them from a folder (.gz or uncompressed)

Set `LOOPLAB_DATA` to use a data folder elsewhere.
"""
