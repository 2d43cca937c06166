"""looplab gradescope DIR: build the Gradescope autograder zip (setup.sh, run_autograder, grader)."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader import gradescope_package, mnist

HELP = "build a Gradescope autograder zip in DIR (hidden suites in, solutions out)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help=f"folder that gets {gradescope_package.ZIP_NAME}")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise on Gradescope (repeatable; default: all)")
    parser.add_argument("--with-data", action="store_true",
                        help="put MNIST (data/MNIST/raw) in the zip instead of downloading it in setup.sh")


def run(args: argparse.Namespace) -> int:
    try:
        path = gradescope_package.build(args.out_dir, tuple(args.exercises or ()), args.with_data)
    except (KeyError, mnist.MnistDataError) as error:
        print(f"looplab gradescope: {error}")
        return 2
    print(f"wrote {path}: upload it as the assignment's autograder (Gradescope: Configure Autograder)")
    return 0
