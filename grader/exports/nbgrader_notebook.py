"""One exercise as an nbgrader source notebook, made from the same solution file as the stub.

Cells, top to bottom:

1. the problem (the solution module's docstring), a locked markdown cell;
2. the code: the solution module without its docstring, an nbgrader solution cell that keeps
   ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (``nbgrader generate_assignment`` replaces each
   region with ``raise NotImplementedError()``); exercise 9's broken code, which the ``.py``
   stubs take from ``### BEGIN STUB`` regions, follows the region as code to repair (dead code
   after the solution's ``return``, live once the learner deletes the two placeholder lines);
3. the visible checks, a locked cell the learner runs: ``looplab_checks.visible_checks`` runs
   the exercise's visible tests on the code above and prints what ``pytest exercises/`` prints;
4. one autograded test cell per hidden check (grade_id ``ex02-fit_line_...`` from the check key,
   points = its points), calling ``looplab_checks.hidden_check``, which grades only where
   looplab's grader is installed (see ``grader.exports.notebook_learner_checks``). No hidden region: the
   released cell is the source cell, so nbgrader's checksums agree at autograde time;
5. the exercise's hint, folded, when it has one.
"""
from __future__ import annotations

import ast
from pathlib import Path

from grader.grading.check_catalog import CheckSpec
from grader.curriculum import Exercise
from grader.exports.nbgrader_gradebook import grade_cell_name
from grader.authoring.stubgen import BEGIN_STUB, END_STUB, _uncomment

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SCHEMA_VERSION = 3
STUB_NOTE = "# Delete the two lines above; the code below is yours to repair: find and fix the bug."
HOW_TO = ("Write your code in the cell below, where it says `YOUR CODE HERE` (replace the "
          "`raise NotImplementedError()`), and keep the function names and signatures. Then run "
          "the visible checks under it: they print what `pytest exercises/` prints. The cells "
          "after them stand for looplab's hidden checks: they run when your submission is "
          "autograded, and the feedback shows what each one observed.")


def build(item: Exercise, solution: str, checks: list[CheckSpec], hint: str | None,
          device: str = "cpu"):
    """The nbformat notebook for one exercise, from its solution file's text."""
    from nbformat import v4

    problem, code = split_docstring(solution)
    cells = [_locked(v4.new_markdown_cell(_problem_markdown(problem)), f"{item.key}-problem"),
             _solution(v4.new_code_cell(notebook_code(code)), f"{item.key}-solution"),
             _locked(v4.new_code_cell(visible_cell_source(item)), f"{item.key}-visible-checks")]
    cells += [_grade_cell(v4.new_code_cell(check_cell_source(check, device)), check) for check in checks]
    if hint:
        cells.append(v4.new_markdown_cell(_hint_markdown(hint)))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(kernelspec=KERNELSPEC, language_info={"name": "python"})
    return notebook


def split_docstring(source: str) -> tuple[str, str]:
    """(the module docstring, the code after it) of a solution file."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree) or ""
    if not docstring:
        return "", source
    lines = source.splitlines()
    return docstring, "\n".join(lines[tree.body[0].end_lineno:]).strip("\n") + "\n"


def notebook_code(code: str) -> str:
    """The solution cell: solution regions kept for nbgrader, stub regions as code to repair."""
    out, in_stub = [], False
    for line in code.splitlines():
        marker = line.strip()
        if marker in (BEGIN_STUB, END_STUB):
            in_stub = marker == BEGIN_STUB
            if in_stub:
                out.append(line.replace(BEGIN_STUB, STUB_NOTE))
        else:
            out.append(_uncomment(line) if in_stub else line)
    return "\n".join(out)


def visible_cell_source(item: Exercise) -> str:
    return "\n".join([
        f"# Visible checks: the tests of `pytest exercises/ -m {item.key}`, run on the code above.",
        "from looplab_checks import visible_checks",
        f"visible_checks({item.module!r}, {item.functions!r}, globals(), title={item.title!r})",
    ])


def check_cell_source(check: CheckSpec, device: str) -> str:
    return "\n".join([
        f"# Hidden check {check.key} ({check.points:g} points):",
        f"# {check.title}.",
        "from looplab_checks import hidden_check",
        f"hidden_check({check.exercise!r}, {check.name!r}, globals(), device={device!r})",
    ])


def _problem_markdown(problem: str) -> str:
    title, _, body = problem.partition("\n")
    return f"# {title.rstrip('.')}\n\n{body.strip()}\n\n{HOW_TO}".strip()


def _hint_markdown(hint: str) -> str:
    """The hint folded under a summary line; its headings one level down."""
    lines = ["#" + line if line.startswith("#") else line for line in hint.strip().splitlines()]
    return "<details><summary>Hint</summary>\n\n" + "\n".join(lines) + "\n\n</details>"


def _meta(cell, grade_id: str, **flags):
    cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False, "task": False,
                                 "grade_id": grade_id, "schema_version": SCHEMA_VERSION, **flags}
    return cell


def _locked(cell, grade_id: str):
    return _meta(cell, grade_id, locked=True)


def _solution(cell, grade_id: str):
    return _meta(cell, grade_id, solution=True)


def _grade_cell(cell, check: CheckSpec):
    return _meta(cell, grade_cell_name(check.key), grade=True, locked=True, points=check.points)


def hint_text(exercises_dir: Path, item: Exercise) -> str | None:
    path = exercises_dir / f"{item.module}.hint.md"
    return path.read_text() if path.exists() else None
