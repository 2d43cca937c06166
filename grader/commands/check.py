"""looplab check: grade the reference solutions end to end (the kit's main job)."""
from __future__ import annotations

import argparse

from grader.commands.grade import add_grading_options, options_from, run_problems_stop_the_command
from grader.grading.grade import check_run, grade_submission
from grader.paths import SOLUTIONS_DIR
from grader.reports import terminal

HELP = "grade the reference solutions in solutions/: the kit's self-test after installing"
DESCRIPTION = """\
Grade solutions/ with every hidden check, exactly as `looplab grade` grades a learner, and say
whether the reference solutions earn full marks. Run it once on a new grading machine (or after
changing a hidden suite) to know the grader works there. Exit status 0 only for full marks."""
EXAMPLES = """\
examples:
  looplab check
  looplab check --exercise ex08              # MNIST only
  looplab check --device cuda                # also the checks that need a GPU"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_grading_options(parser)


def run(args: argparse.Namespace) -> int:
    options = options_from(args)
    with run_problems_stop_the_command():
        check_run(options)
    result = grade_submission(SOLUTIONS_DIR, options, learner="solutions")
    print(terminal.render(result))
    full = result.score == result.max_score and not result.error
    print("reference solutions: full marks" if full else "reference solutions: NOT full marks")
    return 0 if full else 1
