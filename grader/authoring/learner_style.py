"""Learner-style submissions: folders made of the correct catalog's cases (loops adapted from
real public code), the code a class really hands in, for the speed figures of ``looplab bench``."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from grader.authoring.catalog_patch import case_source
from grader.curriculum import exercise
from grader.paths import REPO_ROOT

CORRECT_CATALOG = REPO_ROOT / "tests" / "catalog" / "correct"


def correct_cases(keys: list[str], catalog: Path = CORRECT_CATALOG) -> dict[str, list[Path]]:
    """Each exercise's correct cases, in name order."""
    cases = defaultdict(list)
    for path in sorted(catalog.glob("ex*_*")):
        key = path.name.split("_", 1)[0]
        if key in keys and path.suffix in (".case", ".py"):
            cases[key].append(path)
    missing = [key for key in keys if not cases[key]]
    if missing:
        raise FileNotFoundError(f"no correct catalog case for {', '.join(missing)} in {catalog}")
    return cases


def write_learner_submissions(target: Path, count: int, keys: list[str],
                              catalog: Path = CORRECT_CATALOG) -> list[Path]:
    """``count`` learner folders; learner i hands in, for every exercise, that exercise's i-th
    correct case (cycling), so the folders differ from each other and from solutions/."""
    cases = correct_cases(keys, catalog)
    folders = []
    for index in range(count):
        folder = target / f"learner{index:03d}"
        folder.mkdir(parents=True)
        for key in keys:
            case = cases[key][index % len(cases[key])]
            (folder / exercise(key).filename).write_text(case_source(case))
        folders.append(folder)
    return folders
