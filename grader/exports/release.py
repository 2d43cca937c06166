"""The learner bundle: stubs, visible tests, hints, data set-up and just enough of ``grader``.

    DIR/README.md  DIR/Makefile  DIR/pyproject.toml  DIR/.gitignore
    DIR/exercises/   stubs made from solutions/, visible tests, hints, the pytest plugin
    DIR/data/README.md
    DIR/grader/      the modules the bundle imports (``looplab data``, ``grader.mnist``)

The stubs are generated from the reference solutions, never copied, so a stale committed stub
cannot leak an answer. ``grader/`` holds only the import closure of the learner-facing command
(``looplab data``) and of the ``grader`` modules the visible tests import: no hidden suite, no
probe, no solution path; the bundle's ``looplab`` command offers ``data`` and the learner's
``watch``, ``hint`` and ``progress`` only.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from grader.exports import release_files
from grader.paths import DATA_DIR, EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from grader.authoring.stubgen import exercise_key, make_stub

LEARNER_COMMANDS = ("data", "watch", "hint", "progress")
ROOT_MODULES = ("grader.__main__", "grader.cli") + tuple(f"grader.commands.{c}" for c in LEARNER_COMMANDS)
EXERCISE_PATTERNS = ("test_ex[0-9][0-9]_*.py", "ex[0-9][0-9]_*.hint.md", "conftest.py", "_*.py",
                     "README.md")
KIT_ONLY_LINE = "This file is generated from `solutions/` by `looplab stubs`; do not edit it by hand.\n\n"
_COMMANDS_LINE = re.compile(r"^COMMANDS = \(.*\)$", re.MULTILINE)


def write_bundle(out: Path) -> list[Path]:
    """Write the learner bundle into ``out`` (which must not exist yet); returns its files."""
    if out.exists():
        raise FileExistsError(f"{out} already exists: choose a new folder for the bundle")
    _write_exercises(out / "exercises")
    _write_grader(out / "grader", _exercise_imports(out / "exercises"))
    data_readme = DATA_DIR / "README.md"
    _write(out / "data" / "README.md",
           data_readme.read_text() if data_readme.exists() else release_files.DATA_README)
    _write(out / "README.md", release_files.README)
    _write(out / "Makefile", release_files.MAKEFILE)
    _write(out / ".gitignore", release_files.GITIGNORE)
    shutil.copyfile(REPO_ROOT / "pyproject.toml", out / "pyproject.toml")
    return sorted(p for p in out.rglob("*") if p.is_file())


def _write_exercises(folder: Path) -> None:
    folder.mkdir(parents=True)
    for solution in sorted(SOLUTIONS_DIR.glob("ex[0-9][0-9]_*.py")):
        stub = make_stub(solution.read_text(), exercise_key(solution), solution.name)
        _write(folder / solution.name, stub)
    for pattern in EXERCISE_PATTERNS:
        for file in sorted(EXERCISES_DIR.glob(pattern)):
            shutil.copyfile(file, folder / file.name)
    readme = folder / "README.md"
    if readme.exists():  # the bundle has no solutions/ and no `looplab stubs` to regenerate it with
        readme.write_text(readme.read_text().replace(KIT_ONLY_LINE, ""))


def _write_grader(folder: Path, extra_roots: set[str]) -> None:
    for module in sorted(import_closure(set(ROOT_MODULES) | extra_roots)):
        source = module_file(module)
        target = folder.parent / source.relative_to(REPO_ROOT)
        text = source.read_text()
        if module == "grader.cli":
            text, count = _COMMANDS_LINE.subn(f"COMMANDS = {LEARNER_COMMANDS!r}", text)
            if count != 1:
                raise RuntimeError("grader/cli.py has no one-line COMMANDS tuple to trim")
        _write(target, text)


def module_file(module: str) -> Path:
    """``grader/x.py`` or ``grader/x/__init__.py`` for ``grader.x``."""
    base = REPO_ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def import_closure(roots: set[str]) -> set[str]:
    """Every ``grader`` module the roots import, directly or not, with their parent packages."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module in seen or not module_file(module).exists():
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += grader_imports(module_file(module).read_text())
    return seen


def grader_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "grader"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "grader":
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _exercise_imports(folder: Path) -> set[str]:
    return {name for file in folder.glob("*.py") for name in grader_imports(file.read_text())}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
