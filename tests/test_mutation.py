"""Mutation testing of the hidden suites (``looplab mutate``): its operators, its bookkeeping, its
record in docs/mutation.md, and one real round trip through the mutant grading server."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

cosmic_ray = pytest.importorskip("cosmic_ray", reason="pip install -e '.[mutation]'")
from cosmic_ray.mutating import mutate_code  # noqa: E402
from cosmic_ray.plugins import operator_names  # noqa: E402

from grader.authoring import loop_mutations, mutation_report  # noqa: E402
from grader.authoring.mutant_grading import MutantGradingServer  # noqa: E402
from grader.authoring.mutation_run import SURVIVED, KILLED, Mutant, _changed_lines  # noqa: E402
from grader.authoring.solution_regions import solution_line_ranges  # noqa: E402
from grader.curriculum import CURRICULUM, exercise  # noqa: E402
from grader.paths import REPO_ROOT, SOLUTIONS_DIR  # noqa: E402

LOOP = """def train(model, optimizer, loss_fn, x, y):
    ### BEGIN SOLUTION
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    ### END SOLUTION
    return loss
"""


@pytest.mark.parametrize("operator", [loop_mutations.DropCall, loop_mutations.SwapStatements,
                                      loop_mutations.DropKeywordArgument])
def test_each_training_loop_operator_makes_its_documented_mutants(operator):
    for example in operator.examples():
        assert mutate_code(example.pre_mutation_code, operator(), example.occurrence) == example.post_mutation_code


def test_cosmic_ray_finds_looplabs_operators_through_the_entry_point():
    names = set(operator_names())
    assert {"looplab/DropCall", "looplab/SwapStatements", "looplab/DropKeywordArgument"} <= names


def test_the_classic_loop_bugs_are_among_the_mutants_of_a_loop():
    mutants = {_mutant_of(LOOP, operator, index) for operator in (loop_mutations.DropCall(),
               loop_mutations.SwapStatements()) for index in range(6)} - {None}
    assert ("optimizer.zero_grad()", "pass") in mutants  # zero_grad left out
    assert ("loss.backward() / optimizer.step()", "optimizer.step() / loss.backward()") in mutants
    for _, added in mutants:
        assert "BEGIN SOLUTION" not in added  # comments stay where they were


def _mutant_of(source: str, operator, occurrence: int):
    mutated = mutate_code(source, operator, occurrence)
    if mutated is None:
        return None
    compile(mutated, "mutant", "exec")
    return _changed_lines(source, mutated)


def test_solution_regions_are_the_lines_between_the_markers(tmp_path: Path):
    module = tmp_path / "loop.py"
    module.write_text(LOOP + LOOP)
    assert solution_line_ranges(module) == [(3, 6), (11, 14)]


def test_every_solution_has_regions_to_mutate():
    for item in CURRICULUM:
        assert solution_line_ranges(SOLUTIONS_DIR / item.filename), item.key


def _mutants(outcomes: list[str]) -> list[Mutant]:
    return [Mutant("ex02", "train_step", 10 + index, "DropCall", f"line {index}", "pass", outcome)
            for index, outcome in enumerate(outcomes)]


def test_the_score_leaves_equivalent_mutants_out_of_the_denominator():
    mutants = _mutants([KILLED] * 18 + [SURVIVED, SURVIVED])
    assert mutation_report.score(mutants, {})[3] == pytest.approx(0.9)
    equivalent = {("ex02", "line 18", "pass"): "computes the same"}
    assert mutation_report.score(mutants, equivalent) == (18, 1, 1, pytest.approx(18 / 19))


def test_the_page_names_every_survivor_and_whether_it_is_explained():
    mutants = _mutants([KILLED, SURVIVED, SURVIVED])
    page = mutation_report.render(mutants, {("ex02", "line 1", "pass"): "the same loss"}, seed=3)
    assert "equivalent: the same loss" in page
    assert "`line 2` -> `pass`" in page and "**not caught by any hidden check**" in page
    assert "| ex02 | 3 | 1 | 1 | 1 | 50.0% | **no** |" in page


def test_a_partial_run_replaces_only_its_exercises_record(tmp_path: Path):
    record = tmp_path / "mutation.json"
    mutation_report.save_results(_mutants([KILLED, SURVIVED]), record, seed=4)
    other = [Mutant("ex03", "make_loader", 5, "NumberReplacer", "a", "b", KILLED, ("shuffles",))]
    mutation_report.save_results(other, record, seed=4)
    mutation_report.save_results(_mutants([KILLED]), record, seed=4)
    assert mutation_report.recorded_seed(record) == 4
    assert sorted(m.exercise for m in mutation_report.load_results(record)) == ["ex02", "ex03"]
    assert [m for m in mutation_report.load_results(record) if m.exercise == "ex03"] == other


def test_every_equivalence_claim_names_a_line_of_its_solution():
    """A claim about a line that is no longer in the solution is stale: rerun looplab mutate."""
    for (key, line, _), why in mutation_report.load_equivalents().items():
        source = " ".join(part.strip() for part in (SOLUTIONS_DIR / exercise(key).filename).read_text().splitlines())
        assert all(part in source for part in line.split(" / ")), (key, line)
        assert len(why) > 20, (key, line)


def test_docs_mutation_md_is_the_rendering_of_the_recorded_run():
    record, page = REPO_ROOT / "docs" / "mutation.json", REPO_ROOT / "docs" / "mutation.md"
    mutants = mutation_report.load_results(record)
    assert {m.exercise for m in mutants} == {item.key for item in CURRICULUM}
    seed = mutation_report.recorded_seed(record)
    assert page.read_text() == mutation_report.render(mutants, mutation_report.load_equivalents(), seed), \
        "docs/mutation.md is stale: run looplab mutate --report-only"


def test_the_recorded_run_meets_the_target_per_exercise_and_overall():
    mutants, equivalents = mutation_report.load_results(REPO_ROOT / "docs" / "mutation.json"), \
        mutation_report.load_equivalents()
    for item in CURRICULUM:
        share = mutation_report.score([m for m in mutants if m.exercise == item.key], equivalents)[3]
        assert share >= mutation_report.TARGET, item.key
    assert mutation_report.score(mutants, equivalents)[3] >= mutation_report.TARGET


def test_the_grading_server_tells_a_killed_mutant_from_a_survivor(tmp_path: Path):
    folder = tmp_path / "ex02"
    folder.mkdir()
    module = folder / exercise("ex02").filename
    shutil.copyfile(SOLUTIONS_DIR / module.name, module)
    socket_path = tmp_path / "grade.sock"
    with MutantGradingServer(socket_path, folder, seed=5) as server:
        assert _client(server, socket_path).returncode == 0
        module.write_text(module.read_text().replace("optimizer.zero_grad()", "pass", 1))
        killed = _client(server, socket_path)
    assert killed.returncode == 1 and "killed by check: train_step_clears_gradients_it_is_handed" in killed.stdout


def _client(server: MutantGradingServer, socket_path: Path) -> subprocess.CompletedProcess:
    answer = {}
    thread = threading.Thread(target=lambda: answer.setdefault("run", subprocess.run(
        [sys.executable, "-m", "grader.authoring.mutant_client", str(socket_path), "ex02"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)))
    thread.start()
    while thread.is_alive():
        server.handle_request()
    return answer["run"]
