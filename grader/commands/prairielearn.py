"""looplab prairielearn DIR: a PrairieLearn externally graded question and its grading image."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.exports import prairielearn_package
from grader.commands import UsageError, positive_int
from grader.commands.gradescope import package_errors

HELP = "build a PrairieLearn question (external grading) and the Docker image folder that grades it"
DESCRIPTION = """\
Build a PrairieLearn externally graded question and the grading image behind it, in DIR:
DIR/image/ (a Dockerfile with torch, looplab's grader and its hidden suites, MNIST when an
exercise needs it; no solutions) and DIR/questions/QUESTION/ (info.json, question.html with a
file upload, tests/run.sh). PrairieLearn runs run.sh on each upload (the learner's exNN_*.py
files at any depth) and shows each check's points and message from results.json."""
EXAMPLES = """\
examples:
  looplab prairielearn pl/ --exercise ex02 --image course/looplab-grader:2025
  docker build -t course/looplab-grader:2025 pl/image && docker push course/looplab-grader:2025
  cp -r pl/questions/looplab ~/course/questions/looplab_ex02   # then sync the course
  looplab prairielearn pl/ --with-data --question looplab_all  # every exercise, MNIST in the image"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, metavar="DIR", help="folder that gets image/ and questions/QUESTION/")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise in the question (repeatable; default: all)")
    parser.add_argument("--with-data", action="store_true",
                        help="put MNIST (data/MNIST/raw) in the image folder instead of downloading it at docker build")
    parser.add_argument("--image", default=prairielearn_package.DEFAULT_IMAGE,
                        help="the image name info.json gives PrairieLearn (push the built image under it; "
                             f"default: {prairielearn_package.DEFAULT_IMAGE})")
    parser.add_argument("--question", default="looplab", help="the question folder's name (default: looplab)")
    parser.add_argument("--timeout", type=positive_int, default=prairielearn_package.DEFAULT_TIMEOUT_S,
                        metavar="S", help="seconds PrairieLearn lets grading run (default and most: 600)")


def run(args: argparse.Namespace) -> int:
    if args.timeout > 600:
        raise UsageError(f"--timeout {args.timeout}: PrairieLearn allows at most 600 seconds")
    with package_errors(args.out_dir):
        question = prairielearn_package.build(args.out_dir, tuple(args.exercises or ()), args.with_data,
                                              args.image, args.question, args.timeout)
    print(f"wrote {args.out_dir / 'image'}: docker build -t {args.image} {args.out_dir / 'image'}, then push it")
    print(f"wrote {question}: copy it into your course's questions/ folder")
    return 0
