"""Write an nbgrader course folder: one assignment with one notebook per exercise, and its config.

    DIR/nbgrader_config.py
    DIR/source/<assignment>/ex02_five_line_loop.ipynb   (one per exercise)
    DIR/source/<assignment>/looplab_checks.py           (what the check cells call)
    DIR/source/<assignment>/looplab_visible/            (the visible tests and learner plugin)

Every exercise that has a reference solution and a hidden suite becomes a notebook (see
``grader.exports.nbgrader_notebook``). ``nbgrader_config.py`` makes nbgrader's defaults safe for
looplab: a cell may run for 30 minutes (MNIST), warnings and progress bars on stderr do not
zero a test cell, and ``.py`` files named like exercises are never copied into a release nor
over a learner's own files at autograde time.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.exports import notebook_learner_checks

from grader.grading.check_catalog import checks_of, has_suite
from grader.curriculum import CURRICULUM, Exercise, exercise
from grader.exports.nbgrader_notebook import build, hint_text
from grader.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from grader.exports.release import grader_imports, import_closure, module_file

CHECKS_MODULE = "looplab_checks.py"
VISIBLE_FOLDER = "looplab_visible"
CELL_TIMEOUT_S = 1800
STDERR_IGNORED = r"Warning|warnings\.warn|\d(?:it/s|s/it)\]"
IGNORED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "ex[0-9][0-9]_*.py"]
CONFIG = '''\
"""nbgrader settings for a looplab course (written by `looplab nbgrader-course`)."""
c = get_config()  # noqa: F821  (nbgrader defines get_config)

c.CourseDirectory.course_id = {course!r}

# Never copy an instructor's exercise .py file into a release, nor over a learner's own file
# when autograding (the learner's code would be replaced by the instructor's).
c.CourseDirectory.ignore = {ignore!r}
c.Autograde.exclude_overwriting = {exclude!r}

# looplab's hidden checks train models: nbgrader's default of 30 s per cell is too short.
c.Execute.timeout = {timeout}
c.ExecutePreprocessor.timeout = {timeout}

# nbgrader gives 0 to a test cell with any stderr output: drop warnings and progress bars.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = {pattern!r}
'''


@dataclass
class CoursePlan:
    """What a course generation wrote and which exercises it left out (and why)."""

    notebooks: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    config: Path | None = None


def write_course(root: Path, assignment: str = "looplab", course: str = "looplab",
                 keys: tuple[str, ...] | None = None, device: str = "cpu") -> CoursePlan:
    """Write ``root/source/<assignment>/*.ipynb`` and ``root/nbgrader_config.py``."""
    plan = CoursePlan()
    folder = root / "source" / assignment
    chosen = {exercise(key).key for key in keys or ()}  # KeyError names the curriculum
    for item in CURRICULUM:
        if chosen and item.key not in chosen:
            continue
        reason = _missing(item)
        if reason:
            plan.skipped[item.key] = reason
            continue
        folder.mkdir(parents=True, exist_ok=True)
        plan.notebooks.append(_write_notebook(folder, item, device))
    if plan.notebooks:
        write_checks(folder, [exercise(p.stem) for p in plan.notebooks])
    plan.config = write_config(root, course)
    return plan


def write_config(root: Path, course: str) -> Path:
    """``root/nbgrader_config.py`` covering every assignment under ``root/source``."""
    source = root / "source"
    assignments = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
    modules = [item.filename for item in CURRICULUM]
    text = CONFIG.format(course=course, ignore=IGNORED, timeout=CELL_TIMEOUT_S,
                         exclude={name: modules for name in assignments}, pattern=STDERR_IGNORED)
    path = root / "nbgrader_config.py"
    root.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_checks(folder: Path, items: list[Exercise]) -> None:
    """``looplab_checks.py`` and ``looplab_visible/`` (plugin, helpers, these exercises' visible tests)."""
    shutil.copyfile(Path(notebook_learner_checks.__file__), folder / CHECKS_MODULE)
    visible = folder / VISIBLE_FOLDER
    if visible.exists():
        shutil.rmtree(visible)
    visible.mkdir()
    files = [EXERCISES_DIR / "conftest.py", *sorted(EXERCISES_DIR.glob("_*.py"))]
    files += [EXERCISES_DIR / f"test_{item.filename}" for item in items]
    for file in files:
        shutil.copyfile(file, visible / file.name)
    for module in sorted(import_closure(_grader_imports_of(visible))):  # what the helpers import
        target = visible / module_file(module).relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module_file(module), target)


def _grader_imports_of(folder: Path) -> set[str]:
    return {name for file in folder.glob("*.py") for name in grader_imports(file.read_text())}


def _missing(item: Exercise) -> str:
    if not (SOLUTIONS_DIR / item.filename).exists():
        return f"no reference solution solutions/{item.filename}"
    if not has_suite(item.key):
        return "no hidden suite yet"
    return ""


def _write_notebook(folder: Path, item: Exercise, device: str) -> Path:
    import nbformat

    checks = [c for c in checks_of(item.key) if device == "cuda" or not c.needs_cuda]
    solution = (SOLUTIONS_DIR / item.filename).read_text()
    notebook = build(item, solution, checks, hint_text(EXERCISES_DIR, item), device)
    path = folder / f"{item.module}.ipynb"
    nbformat.write(notebook, path)
    return path
