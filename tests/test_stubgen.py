"""Stub generation: solution regions become TODOs, stub regions are shown, stubs stay in sync."""
from pathlib import Path

import pytest

from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.authoring.stubgen import MarkerError, drift, generate, make_stub

SOLUTION = '''def step(x):
    """Double x."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''


def test_a_solution_region_becomes_a_todo_naming_exercise_and_function():
    stub = make_stub(SOLUTION, "ex07", "ex07_demo.py")
    assert "return 2 * x" not in stub
    assert "    # TODO(ex07): implement step()" in stub
    assert 'raise NotImplementedError("ex07: implement step() in exercises/ex07_demo.py")' in stub
    assert '"""Double x."""' in stub


def test_a_stub_region_replaces_the_todo_with_uncommented_code():
    source = SOLUTION.replace("    ### END SOLUTION\n",
                              "    ### END SOLUTION\n    ### BEGIN STUB\n    # return x + x + 1\n    ### END STUB\n")
    stub = make_stub(source, "ex09", "ex09_demo.py")
    assert "    return x + x + 1" in stub
    assert "NotImplementedError" not in stub and "BEGIN STUB" not in stub


def test_unpaired_markers_are_an_error():
    with pytest.raises(MarkerError):
        make_stub(SOLUTION.replace("    ### END SOLUTION\n", ""), "ex01", "ex01_demo.py")
    with pytest.raises(MarkerError):
        make_stub("x = 1\n### END SOLUTION\n", "ex01", "ex01_demo.py")


def test_drift_reports_a_stub_that_differs(tmp_path: Path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir(), exercises.mkdir()
    (solutions / "ex01_demo.py").write_text(SOLUTION)
    assert [d.reason for d in drift(solutions, exercises)] == ["missing"]
    generate(solutions, exercises)
    assert drift(solutions, exercises) == []
    (exercises / "ex01_demo.py").write_text("edited by hand\n")
    assert [d.reason for d in drift(solutions, exercises)] == ["differs from the generated stub"]


def test_committed_stubs_match_the_solutions():
    problems = drift(SOLUTIONS_DIR, EXERCISES_DIR)
    assert not problems, "stubs out of sync, run `looplab stubs`: " + ", ".join(
        f"{p.stub.name} ({p.reason})" for p in problems)


def test_every_curriculum_exercise_has_solution_stub_hint_and_visible_test():
    from grader.curriculum import CURRICULUM

    for item in CURRICULUM:
        for path in (SOLUTIONS_DIR / item.filename, EXERCISES_DIR / item.filename,
                     EXERCISES_DIR / f"{item.module}.hint.md", EXERCISES_DIR / f"test_{item.filename}"):
            assert path.exists(), f"{item.key}: {path} is missing"


def test_solutions_folder_has_no_stray_files():
    from grader.curriculum import CURRICULUM

    expected = {item.filename for item in CURRICULUM}
    found = {p.name for p in SOLUTIONS_DIR.glob("*.py")}
    assert found == expected, f"unexpected files in solutions/: {sorted(found - expected)}"


def test_exercises_readme_lists_the_current_signatures():
    from grader.authoring import signatures_doc

    readme = signatures_doc.path_for(EXERCISES_DIR)
    assert readme.exists() and readme.read_text() == signatures_doc.render(SOLUTIONS_DIR), (
        "exercises/README.md is out of date: run `looplab stubs`")
    assert "def train_step(model: nn.Module" in readme.read_text()
