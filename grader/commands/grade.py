"""looplab grade SUBMISSION: grade one folder of exercise modules."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from grader.commands import UsageError, existing_folder, non_negative_int, writable_file, writable_folder
from grader.grading.grade import GradeOptions, RunProblem, check_run, grade_submission
from grader.reports import feedback, gradescope, terminal
from grader.launch.sandbox import NO_ISOLATION_WARNING, SANDBOXES

HELP = "grade one learner's folder with the hidden checks and print a table per exercise"
DESCRIPTION = """\
Grade one learner's folder with looplab's hidden checks. The learner's exNN_*.py modules are
found wherever they sit inside the folder (a copy of exercises/, or the exercises/ folder a zip
unpacks into). Learner code runs in isolated child processes; the table shows each exercise's
score and its first problem, in words the learner can act on, and the seed that repeats the
grading.

Exit status: 0 graded; 1 graded, with a problem in the hand-in (no modules, two files for one
exercise); 2 nothing graded (a missing folder, an unknown exercise, no GPU for --device cuda,
MNIST missing while ex08 is graded, an output that cannot be written)."""
EXAMPLES = """\
examples:
  looplab grade submissions/alice
  looplab grade submissions/alice --exercise ex02 --exercise ex03
  looplab grade submissions/alice --feedback feedback/ --json alice-results.json
  looplab grade submissions/alice --seed 123456789   # repeat a recorded grading exactly"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path,
                        help="the learner's folder, holding their exNN_*.py files (at any depth)")
    add_grading_options(parser)
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the result as Gradescope's results.json to FILE")
    parser.add_argument("--feedback", type=Path, metavar="FOLDER",
                        help="also write the learner's feedback as FOLDER/LEARNER.md and FOLDER/LEARNER.html, with "
                             "a picture of each training exercise's loss per epoch beside the reference loop's")


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                        help="where learner code trains: cpu, cuda (needs a GPU), or auto (default: "
                             "cuda when a GPU is visible, else cpu); checks that need a GPU are "
                             "skipped on cpu and left out of the maximum")
    parser.add_argument("--sandbox", default="auto", choices=SANDBOXES,
                        help="how learner code is isolated (default auto: bubblewrap where it works, "
                             "else a user id of its own per child when run as root); none runs it "
                             "as you, for trusted code only")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise, e.g. ex03 (repeatable; default: every exercise)")
    parser.add_argument("--threads", type=non_negative_int, default=0, metavar="N",
                        help="torch threads for each exercise's child process (default 0: all cores)")
    parser.add_argument("--seed", type=non_negative_int, metavar="N",
                        help="draw the hidden inputs from seed N, as recorded by an earlier grading, to "
                             "repeat it exactly (default: a fresh secret seed for every grading)")


def options_from(args: argparse.Namespace, threads: int | None = None) -> GradeOptions:
    chosen = {"device": args.device, "sandbox": args.sandbox, "threads": threads or args.threads,
              "seed": args.seed}
    if args.exercises:
        chosen["exercises"] = tuple(args.exercises)
    return GradeOptions(**chosen)


@contextmanager
def run_problems_stop_the_command() -> Iterator[None]:
    """A problem of the whole run (device, data, exercises) becomes a UsageError: one line, exit 2."""
    try:
        yield
    except RunProblem as error:
        raise UsageError(str(error)) from None


def warn_without_isolation(args: argparse.Namespace) -> None:
    if args.sandbox == "none":
        print(NO_ISOLATION_WARNING, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    existing_folder(args.submission, "the submission folder")
    if args.json:
        writable_file(args.json, "--json")
    if args.feedback:
        writable_folder(args.feedback, "--feedback")
    options = options_from(args)
    with run_problems_stop_the_command():
        check_run(options)
    warn_without_isolation(args)
    result = grade_submission(args.submission, options)
    print(terminal.render(result))
    if args.json:
        gradescope.write(result, args.json)
    if args.feedback:
        feedback.write(result, args.feedback)
    return 0 if not result.error else 1
