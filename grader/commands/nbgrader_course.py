"""looplab nbgrader-course DIR: an nbgrader course (source notebooks + config) from the solutions."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands import UsageError, writable_folder
from grader.exports.nbgrader_course import write_course
from grader.exports.nbgrader_gradebook import INSTALL_HINT

HELP = "write an nbgrader course folder: one notebook per exercise, hidden checks as test cells"
DESCRIPTION = """\
Write an nbgrader course from the reference solutions: nbgrader_config.py and one source
notebook per exercise in DIR/source/ASSIGNMENT/, the learner's part marked as a solution region
and looplab's checks as autograded test cells. Then use nbgrader as usual: generate_assignment,
release, collect, autograde. (To record `looplab grade-all` scores in an existing nbgrader
gradebook instead, see `looplab grade-all --help`, option --nbgrader-db.)"""
EXAMPLES = """\
examples:
  looplab nbgrader-course ml101/ --course ml101 --assignment loops
  cd ml101 && nbgrader generate_assignment loops
  looplab nbgrader-course ml101/ --exercise ex02 --exercise ex03"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("course_dir", type=Path, metavar="DIR", help="course root (gets nbgrader_config.py and source/)")
    parser.add_argument("--assignment", default="looplab", help="assignment name (source/<assignment>/)")
    parser.add_argument("--course", default="looplab", help="nbgrader course id")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="only this exercise (repeatable; default: every exercise with a hidden suite)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="device the test cells grade on; cpu leaves out GPU-only checks")


def run(args: argparse.Namespace) -> int:
    if Path(args.assignment).name != args.assignment or args.assignment in ("", ".", ".."):
        raise UsageError(f"--assignment {args.assignment!r} is not a plain name (no folders): e.g. loops")
    writable_folder(args.course_dir, "the course folder")
    try:
        plan = write_course(args.course_dir, assignment=args.assignment, course=args.course,
                            keys=tuple(args.exercises or ()), device=args.device)
    except KeyError as error:
        raise UsageError(error.args[0]) from None
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    for notebook in plan.notebooks:
        print(f"wrote {notebook}")
    for key, reason in plan.skipped.items():
        print(f"left out {key}: {reason}")
    print(f"wrote {plan.config}")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment {args.assignment}")
    return 0 if plan.notebooks else 1
