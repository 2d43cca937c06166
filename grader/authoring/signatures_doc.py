"""Write exercises/README.md, the list of every exercise's signatures, from the solutions."""
from __future__ import annotations

import ast
from pathlib import Path

from grader.curriculum import CURRICULUM

HEADER = """# Exercises

Fill in each `TODO`, then run `pytest exercises/` (or `pytest exercises/ -m ex03` for one).
Every function takes what it works on as arguments and returns plain results (floats, lists of
floats, dicts, the model), so the grader can call it with its own data.

This file is generated from `solutions/` by `looplab stubs`; do not edit it by hand.
"""


def render(solutions_dir: Path) -> str:
    parts = [HEADER]
    for item in CURRICULUM:
        path = solutions_dir / item.filename
        if not path.exists():
            continue
        tree = ast.parse(path.read_text())
        parts.append(f"## {item.key}: {item.title} (`{item.filename}`)\n")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in _documented(item):
                parts.append(_entry(node))
    return "\n".join(parts)


def _documented(item) -> set[str]:
    """The functions a learner writes, plus the given helpers an exercise documents."""
    return set(item.functions) | set(GIVEN.get(item.key, ()))


# Functions given in an exercise (not written by the learner) that its README still lists.
GIVEN = {"ex01": ("make_data",), "ex05": ("fit_plane",), "ex07": ("fit_binary_plane",)}


def _entry(node: ast.FunctionDef) -> str:
    signature = f"def {node.name}({ast.unparse(node.args)})"
    if node.returns is not None:
        signature += f" -> {ast.unparse(node.returns)}"
    doc = (ast.get_docstring(node) or "").strip().splitlines()
    summary = doc[0] if doc else ""
    return f"```python\n{signature}\n```\n{summary}\n"


def path_for(exercises_dir: Path) -> Path:
    return exercises_dir / "README.md"
