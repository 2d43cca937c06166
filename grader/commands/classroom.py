"""looplab classroom DIR: the GitHub Classroom autograding workflow for an assignment repository."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.exports import classroom_package
from grader.commands import UsageError

HELP = "write .github/workflows/classroom.yml: GitHub Classroom grades each push with looplab"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="the assignment's template repository (gets .github/workflows/)")
    parser.add_argument("--grader", required=True, metavar="PIP_REQUIREMENT",
                        help="where the workflow installs looplab's grader from, e.g. "
                             "'git+https://${{ secrets.LOOPLAB_TOKEN }}@github.com/COURSE/looplab-grader.git'")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise (repeatable; default: all)")
    parser.add_argument("--python", default="3.11", help="the Python version the workflow sets up")


def run(args: argparse.Namespace) -> int:
    try:
        path = classroom_package.build(args.out_dir, args.grader, tuple(args.exercises or ()), args.python)
    except (KeyError, ValueError) as error:
        raise UsageError(error.args[0]) from None
    except OSError as error:
        raise UsageError(f"cannot write {args.out_dir}: {error.strerror or error}") from None
    print(f"wrote {path}: commit it to the assignment's template repository")
    return 0
