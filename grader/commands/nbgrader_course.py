"""looplab nbgrader-course DIR: an nbgrader course (source notebooks + config) from the solutions."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.nbgrader_course import write_course
from grader.nbgrader_gradebook import INSTALL_HINT

HELP = "write an nbgrader course folder: one notebook per exercise, hidden checks as test cells"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("course_dir", type=Path, help="course root (gets nbgrader_config.py and source/)")
    parser.add_argument("--assignment", default="looplab", help="assignment name (source/<assignment>/)")
    parser.add_argument("--course", default="looplab", help="nbgrader course id")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="only this exercise (repeatable; default: every exercise with a hidden suite)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="device the test cells grade on; cpu leaves out GPU-only checks")


def run(args: argparse.Namespace) -> int:
    try:
        plan = write_course(args.course_dir, assignment=args.assignment, course=args.course,
                            keys=tuple(args.exercises or ()), device=args.device)
    except KeyError as error:
        print(f"looplab nbgrader-course: {error}")
        return 2
    except ImportError:
        print(f"looplab nbgrader-course: {INSTALL_HINT}")
        return 2
    for notebook in plan.notebooks:
        print(f"wrote {notebook}")
    for key, reason in plan.skipped.items():
        print(f"left out {key}: {reason}")
    print(f"wrote {plan.config}")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment {args.assignment}")
    return 0 if plan.notebooks else 1
