"""looplab classroom DIR: the GitHub Classroom autograding workflow for an assignment repository."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.exports import classroom_package
from grader.commands import UsageError
from grader.commands.gradescope import package_errors

HELP = "write .github/workflows/classroom.yml: GitHub Classroom grades each push with looplab"
DESCRIPTION = """\
Write REPO/.github/workflows/classroom.yml into a GitHub Classroom assignment's template
repository (a folder from `looplab release`). On every push the workflow installs torch and
looplab's grader from --grader (a pip requirement the runner can reach: a private repository
read with an organisation secret, a private index), grades the learner's exNN_*.py files
wherever they sit in the repository and reports each check's points to Classroom. The learner
can read and edit the workflow: use its points as feedback, and grade for marks with
`looplab grade-all` on the collected repositories."""
EXAMPLES = """\
examples:
  looplab release ../looplab-week2
  looplab classroom ../looplab-week2 --exercise ex02 \\
      --grader 'git+https://${{ secrets.LOOPLAB_GRADER_TOKEN }}@github.com/course/looplab-grader.git'
  cd ../looplab-week2 && looplab classroom . --python 3.12 --grader 'git+https://...'  # every exercise"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, metavar="REPO",
                        help="the assignment's template repository (gets .github/workflows/)")
    parser.add_argument("--grader", required=True, metavar="PIP_REQUIREMENT",
                        help="where the workflow installs looplab's grader from, e.g. "
                             "'git+https://${{ secrets.LOOPLAB_GRADER_TOKEN }}@github.com/COURSE/looplab-grader.git'")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise (repeatable; default: all)")
    parser.add_argument("--python", default="3.11", help="the Python version the workflow sets up (default: 3.11)")


def run(args: argparse.Namespace) -> int:
    try:
        with package_errors(args.out_dir):
            path = classroom_package.build(args.out_dir, args.grader, tuple(args.exercises or ()), args.python)
    except ValueError as error:
        raise UsageError(error.args[0]) from None
    print(f"wrote {path}: commit it to the assignment's template repository")
    return 0
