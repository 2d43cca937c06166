"""looplab check: grade the reference solutions end to end (the kit's main job)."""
from __future__ import annotations

import argparse

from grader.commands.grade import add_grading_options, options_from
from grader.grade import grade_submission
from grader.paths import SOLUTIONS_DIR
from grader.reports import terminal

HELP = "grade solutions/ with the hidden suites and print the per-exercise table"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_grading_options(parser)


def run(args: argparse.Namespace) -> int:
    result = grade_submission(SOLUTIONS_DIR, options_from(args), learner="solutions")
    print(terminal.render(result))
    full = result.score == result.max_score and not result.error
    print("reference solutions: full marks" if full else "reference solutions: NOT full marks")
    return 0 if full else 1
