"""looplab mutate: mutation testing of the hidden suites (authors' tool; see docs/mutation.md)."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from grader.commands import UsageError
from grader.curriculum import CURRICULUM, exercise
from grader.paths import REPO_ROOT

HELP = ("for the kit's authors: mutate the SOLUTION regions of solutions/ with cosmic-ray and "
        "grade every mutant with the hidden suites; writes docs/mutation.md")
RESULTS = REPO_ROOT / "docs" / "mutation.json"
REPORT = REPO_ROOT / "docs" / "mutation.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exercise", action="append", metavar="exNN",
                        help="mutate only this exercise (repeatable); the others keep their recorded results")
    parser.add_argument("--seed", type=int, help="the hidden inputs' seed (default: the recorded run's, else 0)")
    parser.add_argument("--report-only", action="store_true",
                        help="re-render docs/mutation.md from docs/mutation.json without running mutants")


def run(args: argparse.Namespace) -> int:
    from grader.authoring import mutation_report as report

    seed = _seed(args, report.recorded_seed(RESULTS))
    if not args.report_only:
        _mutate(_keys(args.exercise), seed)
    mutants = report.load_results(RESULTS)
    if not mutants:
        raise UsageError(f"no recorded mutants in {RESULTS.relative_to(REPO_ROOT)}: run looplab mutate first")
    REPORT.write_text(report.render(mutants, report.load_equivalents(), seed))
    killed, equivalent, surviving, share = report.score(mutants, report.load_equivalents())
    print(f"{len(mutants)} mutants: {killed} killed, {equivalent} equivalent, {surviving} surviving "
          f"({share:.1%} killed); wrote {REPORT.relative_to(REPO_ROOT)}")
    return 0 if share >= report.TARGET else 1


def _seed(args: argparse.Namespace, recorded: int | None) -> int:
    """One seed for the whole record: a partial run or a re-rendering keeps the recorded one."""
    if args.seed is None:
        return 0 if recorded is None else recorded
    partial = args.report_only or args.exercise
    if partial and recorded is not None and args.seed != recorded:
        raise UsageError(f"docs/mutation.json was recorded with --seed {recorded}: use it, or rerun "
                         "every exercise with the new seed")
    return args.seed


def _keys(asked: list[str] | None) -> list[str]:
    for key in asked or []:
        try:
            exercise(key)
        except KeyError as error:
            raise UsageError(str(error.args[0])) from None
    return asked or [item.key for item in CURRICULUM]


def _mutate(keys: list[str], seed: int) -> None:
    from grader.authoring.mutation_report import save_results
    from grader.authoring.mutation_run import mutate_exercise

    with tempfile.TemporaryDirectory(prefix="looplab-mutants-") as work:
        for key in keys:
            mutants = mutate_exercise(key, Path(work), seed)
            save_results(mutants, RESULTS, seed)
            survivors = sum(mutant.outcome == "survived" for mutant in mutants)
            print(f"{key}: {len(mutants)} mutants, {survivors} survived", flush=True)
