"""looplab nbgrader-course, end to end with the real nbgrader CLI: generate, autograde, read back."""
from __future__ import annotations

import importlib.util
import json
import linecache
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason='needs the nbgrader extra: pip install -e ".[nbgrader]"')
import nbformat  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from grader.curriculum import exercise  # noqa: E402
from grader.exports.nbgrader_course import write_config, write_course  # noqa: E402
from grader.exports.nbgrader_notebook import split_docstring  # noqa: E402
from grader.paths import SOLUTIONS_DIR  # noqa: E402

EX02 = exercise("ex02")
NOTEBOOK = f"{EX02.module}.ipynb"
LEARNER_FILE = "# alice's own scratch file: autograde must not replace it\n"


def nbgrader(course: Path, *args: str) -> str:
    """Run the real nbgrader CLI in ``course``, isolated from the user's Jupyter config."""
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(course / ".jupyter"),
           "JUPYTER_RUNTIME_DIR": str(course / ".runtime"),
           "PATH": os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course for ex02, released, with two submissions autograded by nbgrader."""
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    write_course(root, keys=("ex02",))
    shutil.copy(SOLUTIONS_DIR / EX02.filename, root / "source" / "looplab")  # must not be released
    nbgrader(root, "generate_assignment", "looplab")
    released = nbformat.read(root / "release" / "looplab" / NOTEBOOK, as_version=4)
    _submit(root, "bob", released)  # the released notebook untouched: stubs
    released.cells[1].source = (SOLUTIONS_DIR / EX02.filename).read_text()
    _submit(root, "alice", released)
    (root / "submitted" / "alice" / "looplab" / EX02.filename).write_text(LEARNER_FILE)
    (root / "autograde.log").write_text(nbgrader(root, "autograde", "looplab"))
    return root


def _is_grade_cell(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def _submit(root: Path, student: str, notebook) -> None:
    folder = root / "submitted" / student / "looplab"
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK)


def test_release_hides_solutions_and_hidden_tests(course):
    released = course / "release" / "looplab"
    assert sorted(p.name for p in released.iterdir()) == [NOTEBOOK, "looplab_checks.py", "looplab_visible"]
    text = (released / NOTEBOOK).read_text()
    for secret in ("BEGIN SOLUTION", "HIDDEN TESTS", "assert_check"):
        assert secret not in text
    cells = nbformat.reads(text, as_version=4).cells
    assert "raise NotImplementedError()" in cells[1].source
    assert "# Hidden check ex02.train_step_call_order (2 points):" in text
    shipped = [p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()]
    assert not [name for name in shipped if "hidden" in name or name.startswith("solutions")]
    assert "looplab_visible/test_ex02_five_line_loop.py" in shipped


def test_autograde_finds_every_locked_cell_unchanged(course):
    log = (course / "autograde.log").read_text()
    assert "Converting notebook" in log and "has changed" not in log


def test_released_visible_checks_print_what_pytest_exercises_prints(course, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(course / "release" / "looplab"))  # a learner's kernel runs there
    checks = _released_checks(course)
    released = nbformat.read(course / "release" / "looplab" / NOTEBOOK, as_version=4)
    exec(released.cells[2].source, _cell_namespace(released.cells[1].source) | {"__name__": "__main__"})
    stubs = capsys.readouterr().out
    assert "Not started yet:" in stubs
    assert "  ex02  The five-line loop:" in stubs and "looplab progress (exercises/)" in stubs
    solution = split_docstring((SOLUTIONS_DIR / EX02.filename).read_text())[1]
    checks.visible_checks(EX02.module, EX02.functions, _cell_namespace(solution), title=EX02.title)
    assert "7 passed" in capsys.readouterr().out


def test_hidden_cells_grade_only_where_the_grader_is(course, capsys, monkeypatch):
    checks = _released_checks(course)
    monkeypatch.setitem(sys.modules, "grader.exports.notebook_checks", None)  # a learner's Jupyter
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    checks.hidden_check("ex02", "train_step_call_order", {})
    assert "runs when your notebook is autograded" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(RuntimeError, match="not installed where this notebook is autograded"):
        checks.hidden_check("ex02", "train_step_call_order", {})


def _released_checks(course: Path):
    spec = importlib.util.spec_from_file_location("looplab_checks", course / "release" / "looplab" / "looplab_checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell_namespace(code: str, name: str = "<ipython-input-1-looplab>") -> dict:
    """What running ``code`` in a Jupyter cell leaves: its functions, their source in linecache."""
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    namespace: dict = {}
    exec(compile(code, name, "exec"), namespace)
    return namespace


def test_autograde_scores_full_marks_and_zero_in_the_gradebook(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="looplab") as gb:
        scores = {s: (gb.find_submission("looplab", s).score, gb.find_submission("looplab", s).max_score)
                  for s in ("alice", "bob")}
        notebook = gb.find_submission_notebook(EX02.module, "looplab", "alice")
        cells = {grade.name: grade.max_score for grade in notebook.grades}
    assert scores == {"alice": (15.0, 15.0), "bob": (0.0, 15.0)}
    assert cells == {"ex02-train_step_returns_loss_as_float": 2.0, "ex02-train_step_call_order": 2.0,
                     "ex02-train_step_updates_like_sgd_and_adam": 3.0,
                     "ex02-train_step_clears_gradients_it_is_handed": 1.0,
                     "ex02-fit_runs_one_step_per_epoch": 3.0, "ex02-fit_line_learns_the_hidden_line": 4.0}


def test_autograded_cells_carry_the_feedback_and_no_stderr(course):
    graded = nbformat.read(course / "autograded" / "bob" / "looplab" / NOTEBOOK, as_version=4)
    outputs = [o for cell in graded.cells if _is_grade_cell(cell) for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 6 and all("NotImplementedError" in o.evalue for o in errors)
    assert not [o.evalue for o in errors if o.evalue.rstrip().endswith("()")]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]


def test_autograde_leaves_learner_files_alone(course):
    own = course / "submitted" / "alice" / "looplab" / EX02.filename
    assert own.read_text() == LEARNER_FILE
    graded = course / "autograded" / "alice" / "looplab" / EX02.filename
    assert not graded.exists() or graded.read_text() == LEARNER_FILE


def test_config_drops_warnings_but_not_errors(tmp_path):
    from nbformat.v4 import new_output
    from nbgrader.preprocessors import Execute, IgnorePattern
    from nbgrader.utils import determine_grade
    from traitlets.config.loader import PyFileConfigLoader

    write_config(tmp_path, "looplab")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    warning = ("/venv/torch/nn/modules/loss.py:608: UserWarning: Using a target size that is different "
               "to the input size.\n  return F.mse_loss(input, target)\n")
    progress = "100%|##########| 10/10 [00:00<00:00, 1234.56it/s]\n"
    outputs = [new_output("stream", name="stderr", text=warning),
               new_output("stream", name="stderr", text=progress),
               new_output("error", ename="AssertionError", evalue="x", traceback=[])]
    ignore = IgnorePattern(config=config)
    grades = [determine_grade(ignore.preprocess_cell(_grade_cell(out), {}, 0)[0])[0] for out in outputs]
    assert grades == [2.0, 2.0, 0]
    assert Execute(config=config).timeout >= 600


def _grade_cell(output):
    cell = nbformat.v4.new_code_cell("pass", outputs=[output])
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": "g", "schema_version": 3}
    return cell


def test_notebooks_pass_nbgraders_metadata_validation(tmp_path):
    from nbgrader.nbgraderformat import MetadataValidator

    plan = write_course(tmp_path, keys=("ex02",))
    notebook = nbformat.read(plan.notebooks[0], as_version=4)
    MetadataValidator().validate_nb(notebook)
    points = [c.metadata["nbgrader"]["points"] for c in notebook.cells if _is_grade_cell(c)]
    assert points == [2.0, 2.0, 3.0, 1.0, 3.0, 4.0]
    assert json.loads(plan.notebooks[0].read_text())["metadata"]["kernelspec"]["name"] == "python3"


def test_broken_code_of_exercise_9_stays_as_code_to_repair():
    from nbgrader.preprocessors import ClearSolutions

    from grader.exports.nbgrader_notebook import build

    item = exercise("ex09")
    if not (SOLUTIONS_DIR / item.filename).exists():
        pytest.skip("exercise 9 has no solution yet")
    notebook = build(item, (SOLUTIONS_DIR / item.filename).read_text(), [], None)
    released, _ = ClearSolutions().preprocess(nbformat.from_dict(notebook), {"language": "python"})
    code = released.cells[1].source
    compile(notebook.cells[1].source, "source", "exec")
    compile(code, "release", "exec")
    assert "### BEGIN STUB" not in code and "BEGIN SOLUTION" not in code
    assert "        optimizer.step()\n        loss.backward()" in code  # the bug, uncommented
