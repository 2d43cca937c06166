"""Mutation testing of the hidden suites with cosmic-ray, over the SOLUTION regions of solutions/.

For each exercise: copy its solution into a work folder, let cosmic-ray list every mutant of the
module (``cosmic-ray init``), skip those outside the marked regions (its line filter), then run
them (``cosmic-ray exec``) with the mutant grading server answering each test command.
"""
from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.mutant_grading import MutantGradingServer, no_bytecode
from grader.authoring.solution_regions import solution_line_ranges
from grader.curriculum import exercise
from grader.paths import REPO_ROOT, SOLUTIONS_DIR

KILLED, SURVIVED, INCOMPETENT = "killed", "survived", "incompetent"


@dataclass(frozen=True)
class Mutant:
    """One mutant of a solution and what the hidden checks made of it."""

    exercise: str
    function: str
    line: int
    operator: str
    removed: str  # the solution's line, stripped
    added: str  # the mutant's line, stripped
    outcome: str  # killed | survived | incompetent
    killed_by: tuple[str, ...] = ()


def mutate_exercise(key: str, work: Path, seed: int, timeout_s: float = 600.0) -> list[Mutant]:
    """Every mutant of ``key``'s SOLUTION regions, graded by its hidden suite on ``seed``."""
    no_bytecode()
    folder = work / key
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    module = folder / exercise(key).filename
    shutil.copyfile(SOLUTIONS_DIR / exercise(key).filename, module)
    config, session, socket_path = folder / "cosmic-ray.toml", folder / "session.sqlite", work / f"{key}.sock"
    config.write_text(_config(module, key, socket_path, timeout_s))
    _tool("cosmic-ray", "init", config, session)
    _tool("cr-filter-lines", "--config", config, session)
    with MutantGradingServer(socket_path, folder, seed) as server:
        status = server.serve_while(subprocess.Popen(
            [_script("cosmic-ray"), "exec", str(config), str(session)], cwd=REPO_ROOT))
    if status:
        raise RuntimeError(f"cosmic-ray exec for {key} exited with {status}")
    return _mutants(key, session)


def _config(module: Path, key: str, socket_path: Path, timeout_s: float) -> str:
    ranges = ", ".join(f'"{start}-{end}"' for start, end in solution_line_ranges(module))
    command = f"{sys.executable} -m grader.authoring.mutant_client {socket_path} {key}"
    return "\n".join([
        "[cosmic-ray]",
        f'module-path = "{module}"',
        f"timeout = {timeout_s}",
        "excluded-modules = []",
        f'test-command = "{command}"',
        "[cosmic-ray.distributor]",
        'name = "local"',
        "[cosmic-ray.filters.line-filter.lines]",
        f'"{module}" = [{ranges}]',
        "",
    ])


def _mutants(key: str, session: Path) -> list[Mutant]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    mutants, original = [], (session.parent / exercise(key).filename).read_text()
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue  # outside the SOLUTION regions
            mutants.append(_mutant(key, item.mutations[0], result, original))
    return sorted(mutants, key=lambda mutant: (mutant.line, mutant.operator, mutant.added))


def _mutant(key: str, spec, result, original: str) -> Mutant:
    removed, added = _changed_lines(original, _mutated(original, spec))
    outcome = result.test_outcome.value if result.test_outcome else INCOMPETENT
    killed_by = tuple(line.removeprefix("killed by check: ") for line in (result.output or "").splitlines()
                      if line.startswith("killed by check: "))
    return Mutant(key, spec.definition_name or "", spec.start_pos[0], spec.operator_name.removeprefix("core/"),
                  removed, added, outcome, killed_by)


def _mutated(original: str, spec) -> str:
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    operator = get_operator(spec.operator_name)(**(spec.operator_args or {}))
    return mutate_code(original, operator, spec.occurrence) or original


def _changed_lines(original: str, mutated: str) -> tuple[str, str]:
    """The solution's changed lines and the mutant's, each stripped and joined by " / " (a swap
    shows both statements in their new order)."""
    before, after = original.splitlines(), mutated.splitlines()
    changes = [op for op in difflib.SequenceMatcher(None, before, after).get_opcodes() if op[0] != "equal"]
    if not changes:
        return "", ""
    first, last = changes[0], changes[-1]
    return (" / ".join(line.strip() for line in before[first[1]:last[2]]),
            " / ".join(line.strip() for line in after[first[3]:last[4]]))


def _tool(name: str, *args) -> None:
    subprocess.run([_script(name), *map(str, args)], check=True, cwd=REPO_ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _script(name: str) -> str:
    """cosmic-ray's scripts, from the environment that runs looplab."""
    script = Path(sys.executable).parent / name
    if not script.exists():
        raise FileNotFoundError(f"{name} is not installed: pip install 'looplab[mutation]'")
    return str(script)
