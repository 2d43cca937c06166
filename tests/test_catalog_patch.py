"""Catalog cases as changes to a solution: applied exactly, and refused when they no longer fit."""
import warnings
from pathlib import Path

import pytest

from grader.authoring.catalog_patch import CaseError, apply, case_source, hunks, solution_lines

CATALOG = Path(__file__).resolve().parent / "catalog"


def test_a_case_replaces_exactly_its_block():
    text = "# header\n<<<<<<< solution\nb = 2\n=======\nb = 3\n>>>>>>> submission\n"
    assert apply(["a = 1", "b = 2", "c = 3"], hunks(text)) == "a = 1\nb = 3\nc = 3\n"


def test_a_block_missing_or_repeated_in_the_solution_is_an_error():
    text = "<<<<<<< solution\nx\n=======\ny\n>>>>>>> submission\n"
    with pytest.raises(CaseError, match="occurs 0 times"):
        apply(["a"], hunks(text))
    with pytest.raises(CaseError, match="occurs 2 times"):
        apply(["x", "x"], hunks(text))


def test_solution_lines_drop_markers_and_stub_regions():
    lines = solution_lines("ex09")
    assert not any(line.strip().startswith("### ") for line in lines)


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*/*.case")), ids=lambda p: p.stem)
def test_every_case_applies_to_the_current_solution_and_compiles(path):
    with warnings.catch_warnings():  # a case may hold a slip Python warns about (`is "auto"`)
        warnings.simplefilter("ignore", SyntaxWarning)
        compile(case_source(path), path.name, "exec")
