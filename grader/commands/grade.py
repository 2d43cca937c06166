"""looplab grade SUBMISSION: grade one folder of exercise modules."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.commands import existing_folder
from grader.grade import GradeOptions, grade_submission
from grader.reports import feedback_markdown, gradescope, terminal
from grader.sandbox import NO_ISOLATION_WARNING, SANDBOXES

HELP = "grade one submission folder with the hidden suites"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path, help="folder with the learner's exNN_*.py files")
    add_grading_options(parser)
    parser.add_argument("--json", type=Path, help="write Gradescope results.json here")
    parser.add_argument("--feedback", type=Path, help="write LEARNER.md feedback into this folder")


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                        help="where learner code trains: auto picks cuda when a GPU is visible")
    parser.add_argument("--sandbox", default="auto", choices=SANDBOXES,
                        help="how learner code is isolated (default auto: bubblewrap where it works, "
                             "else a user id of its own per child when run as root); none runs it "
                             "as you, for trusted code only")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise (repeatable)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads per child (0: all cores)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="draw the hidden inputs from seed N, as recorded by an earlier grading, to "
                             "repeat it exactly (default: a fresh secret seed for every grading)")


def options_from(args: argparse.Namespace, threads: int | None = None) -> GradeOptions:
    chosen = {"device": args.device, "sandbox": args.sandbox, "threads": threads or args.threads,
              "seed": args.seed}
    if args.exercises:
        chosen["exercises"] = tuple(args.exercises)
    return GradeOptions(**chosen)


def warn_without_isolation(args: argparse.Namespace) -> None:
    if args.sandbox == "none":
        print(NO_ISOLATION_WARNING, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    existing_folder(args.submission, "the submission folder")
    warn_without_isolation(args)
    result = grade_submission(args.submission, options_from(args))
    print(terminal.render(result))
    if args.json:
        gradescope.write(result, args.json)
    if args.feedback:
        feedback_markdown.write(result, args.feedback)
    return 0 if not result.error else 1
