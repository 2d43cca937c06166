"""Make the learner's stubs from the reference solutions (the single source of truth).

A solution marks what the learner writes with ``### BEGIN SOLUTION`` / ``### END SOLUTION``.
In the stub that region becomes a TODO naming the exercise and the function, followed by
``raise NotImplementedError``. Right after a solution region, an optional
``### BEGIN STUB`` / ``### END STUB`` region holds commented-out code that the stub shows
instead (exercise 9 ships broken loops to repair this way).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_STUB = "### BEGIN STUB"
END_STUB = "### END STUB"
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(")


class MarkerError(ValueError):
    """A solution file whose region markers do not pair up."""


@dataclass(frozen=True)
class StubDrift:
    """A committed stub that differs from the one generated from its solution."""

    solution: Path
    stub: Path
    reason: str


def exercise_key(path: Path) -> str:
    """``ex03`` for ``ex03_minibatches.py``."""
    return path.stem.split("_", 1)[0]


def make_stub(source: str, key: str, filename: str) -> str:
    """The stub text for one solution file's text."""
    lines = source.splitlines()
    out: list[str] = []
    function = None
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _DEF.match(line)
        if match:
            function = match.group(1)
        if line.strip() == BEGIN_SOLUTION:
            end = _find(lines, i + 1, END_SOLUTION, filename)
            indent = line[: len(line) - len(line.lstrip())]
            stub, i = _stub_region(lines, end + 1, filename)
            out.extend(stub if stub is not None else _todo(indent, key, function, filename))
            continue
        if line.strip() in (END_SOLUTION, BEGIN_STUB, END_STUB):
            raise MarkerError(f"{filename}:{i + 1}: {line.strip()!r} without a matching opening")
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def _find(lines: list[str], start: int, marker: str, filename: str) -> int:
    for j in range(start, len(lines)):
        if lines[j].strip() == marker:
            return j
        if lines[j].strip() in (BEGIN_SOLUTION, BEGIN_STUB):
            break
    raise MarkerError(f"{filename}:{start}: no {marker!r} closes the region opened above")


def _stub_region(lines: list[str], start: int, filename: str) -> tuple[list[str] | None, int]:
    """The uncommented stub lines after a solution region, if any, and where to resume."""
    if start >= len(lines) or lines[start].strip() != BEGIN_STUB:
        return None, start
    end = _find(lines, start + 1, END_STUB, filename)
    return [_uncomment(line) for line in lines[start + 1 : end]], end + 1


def _uncomment(line: str) -> str:
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith("# "):
        return indent + stripped[2:]
    return indent + stripped.removeprefix("#")


def _todo(indent: str, key: str, function: str | None, filename: str) -> list[str]:
    what = f"{function}()" if function else "this part"
    return [
        f"{indent}# TODO({key}): implement {what}",
        f'{indent}raise NotImplementedError("{key}: implement {what} in exercises/{filename}")',
    ]


def generate(solutions_dir: Path, exercises_dir: Path) -> list[Path]:
    """Write every stub from its solution; returns the stubs written."""
    written = []
    for solution in sorted(solutions_dir.glob("ex[0-9][0-9]_*.py")):
        stub = exercises_dir / solution.name
        stub.write_text(make_stub(solution.read_text(), exercise_key(solution), solution.name))
        written.append(stub)
    return written


def drift(solutions_dir: Path, exercises_dir: Path) -> list[StubDrift]:
    """Every stub that is missing or differs from what its solution generates."""
    problems = []
    for solution in sorted(solutions_dir.glob("ex[0-9][0-9]_*.py")):
        stub = exercises_dir / solution.name
        expected = make_stub(solution.read_text(), exercise_key(solution), solution.name)
        if not stub.exists():
            problems.append(StubDrift(solution, stub, "missing"))
        elif stub.read_text() != expected:
            problems.append(StubDrift(solution, stub, "differs from the generated stub"))
    return problems
