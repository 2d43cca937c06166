"""The checks a looplab notebook's cells call, shipped beside the notebooks as ``looplab_checks.py``.

Standard library only (pytest for the visible checks): a learner's Jupyter has torch and
pytest, not looplab. Two kinds of cell call it:

- ``visible_checks``: writes the cells that defined the exercise's functions to a scratch
  ``exNN_*.py`` next to a copy of ``looplab_visible/`` (the kit's visible tests and learner
  plugin) and runs ``pytest`` on it, so the learner sees exactly what ``pytest exercises/``
  says. It is skipped while nbgrader autogrades: it earns no points.
- ``hidden_check``: the autograded test cells. Where looplab's grader is importable (the
  instructor's autograde) it grades through ``grader.exports.notebook_checks``; in a learner's Jupyter,
  which has no grader, it says the check runs at autograde time, and under ``nbgrader autograde``
  without a grader it fails instead of passing.

The cells carry no hidden region, so a released cell is the source cell and nbgrader's
checksums agree at autograde time.
"""
from __future__ import annotations

import linecache
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VISIBLE_DIR = Path(__file__).resolve().parent / "looplab_visible"
AUTOGRADING = "autograde"


def cell_source(functions: tuple[str, ...], namespace: dict) -> str:
    """The text of every cell that defined one of ``functions``, in first-use order."""
    cells: dict[str, str] = {}
    for function in functions:
        code = getattr(namespace.get(function), "__code__", None)
        if code is not None and code.co_filename not in cells:
            cells[code.co_filename] = "".join(linecache.getlines(code.co_filename))
    return "\n\n".join(text for text in cells.values() if text)


def visible_checks(module: str, functions: tuple[str, ...], namespace: dict, title: str = "") -> None:
    """Run the exercise's visible tests on the notebook's code and print pytest's report."""
    if os.environ.get("NBGRADER_EXECUTION") == AUTOGRADING:
        print("visible checks are skipped while autograding: the hidden checks below grade")
        return
    source = cell_source(functions, namespace)
    if not source:
        print(f"none of {', '.join(functions)} is defined yet: run the code cell above first")
        return
    with tempfile.TemporaryDirectory(prefix="looplab-visible-") as scratch:
        folder = Path(scratch, "exercises")  # named as in the kit, so the report reads the same
        shutil.copytree(VISIBLE_DIR, folder)
        folder.joinpath(f"{module}.py").write_text(f'"""{title}."""\n\n{source}' if title else source)
        done = subprocess.run([sys.executable, "-m", "pytest", "exercises", "-q", "-p", "no:cacheprovider"],
                              capture_output=True, text=True, cwd=scratch)
    print(done.stdout.rstrip())


def hidden_check(key: str, name: str, namespace: dict, device: str = "cpu") -> None:
    """Pass when looplab's hidden check ``key.name`` gives full marks (at autograde time)."""
    __tracebackhide__ = True
    try:
        from grader.exports.notebook_checks import assert_check
    except ImportError:
        if os.environ.get("NBGRADER_EXECUTION") == AUTOGRADING:
            raise RuntimeError("looplab's grader is not installed where this notebook is autograded")
        print(f"{key}.{name} is a hidden check: it runs when your notebook is autograded. "
              "The visible checks above test your code now.")
        return
    assert_check(key, name, namespace, device)
