"""Per-exercise progress shown after the last test: what passes, what to do next, and a hint."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path


class Progress:
    """Counts passed and failed visible tests per exercise key (``ex03``)."""

    def __init__(self, exercises_dir: Path) -> None:
        self.exercises_dir = exercises_dir
        self.passed: dict[str, int] = defaultdict(int)
        self.failed: dict[str, int] = defaultdict(int)

    def record(self, key: str | None, report) -> None:
        if key is None or report.skipped:
            return
        if report.failed:
            self.failed[key] += 1
        elif report.when == "call":
            self.passed[key] += 1

    def modules(self) -> dict[str, Path]:
        """Exercise key -> stub file, in curriculum order."""
        files = sorted(self.exercises_dir.glob("ex[0-9][0-9]_*.py"))
        return {path.stem.split("_", 1)[0]: path for path in files}

    def titles(self) -> dict[str, str]:
        return {key: _title(path) for key, path in self.modules().items()}

    def summary_lines(self, target: Path) -> list[str]:
        seen = [key for key in self.modules() if self.passed[key] or self.failed[key]]
        if not seen:
            return []
        lines = ["", f"looplab progress ({target.name}/)"]
        for key in seen:
            total = self.passed[key] + self.failed[key]
            mark = "done" if not self.failed[key] else "to do"
            lines.append(f"  {key}  {self.titles()[key]:<42} {self.passed[key]:>2}/{total:<2} passed  {mark}")
        lines.extend(self._next_step(seen))
        return lines

    def _next_step(self, seen: list[str]) -> list[str]:
        todo = [key for key in seen if self.failed[key]]
        if not todo:
            return ["All exercises run here pass. Well done!"]
        key = todo[0]
        path = self.modules()[key]
        lines = [f"Next: {key}, {self.titles()[key]} -> exercises/{path.name}"]
        hint = _first_hint(path.with_suffix(".hint.md"))
        if hint:
            lines.append(f"Hint: {hint}")
        return lines


def _title(path: Path) -> str:
    """The first line of the module's docstring, without a leading 'Exercise N:'."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    except SyntaxError:
        doc = ""
    first = doc.strip().splitlines()[0] if doc.strip() else path.stem
    title = first.split(":", 1)[1] if first.lower().startswith("exercise") else first
    return title.strip().rstrip(".")


def _first_hint(path: Path) -> str:
    """The first bullet (or paragraph) of the exercise's hint file."""
    if not path.exists():
        return ""
    for block in path.read_text().split("\n\n"):
        text = " ".join(line.strip() for line in block.splitlines() if not line.startswith("#"))
        if text:
            return text.removeprefix("- ").strip()
    return ""
