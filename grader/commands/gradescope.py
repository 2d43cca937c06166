"""looplab gradescope DIR: build the Gradescope autograder zip (setup.sh, run_autograder, grader)."""
from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Iterator

from grader.exports import gradescope_package
from grader import mnist
from grader.commands import UsageError
from grader.reports.gradescope import VISIBILITIES

HELP = "build a Gradescope autograder zip in DIR (hidden suites in, solutions out)"
DESCRIPTION = """\
Build the zip to upload as a Gradescope assignment's autograder (Configure Autograder):
setup.sh installs torch and looplab's grader and fails the image build loudly when it cannot;
run_autograder grades each upload (the learner's exNN_*.py files at any depth, so a zip of
exercises/ works) with the hidden suites and writes Gradescope's results.json. The zip holds
no solutions."""
EXAMPLES = """\
examples:
  looplab gradescope build/
  looplab gradescope build/ --exercise ex02 --exercise ex03   # an assignment of two exercises
  looplab gradescope build/ --with-data --visibility after_published"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, metavar="DIR", help=f"folder that gets {gradescope_package.ZIP_NAME}")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                        help="grade only this exercise on Gradescope (repeatable; default: all)")
    parser.add_argument("--with-data", action="store_true",
                        help="put MNIST (data/MNIST/raw) in the zip instead of downloading it in setup.sh")
    parser.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                        help="when learners see each check's details on Gradescope (default: visible)")


@contextlib.contextmanager
def package_errors(out_dir: Path) -> Iterator[None]:
    """A platform package's build problems as one-line UsageErrors: exercise, MNIST, folder."""
    try:
        yield
    except KeyError as error:
        raise UsageError(error.args[0]) from None
    except mnist.MnistDataError as error:
        raise UsageError(f"--with-data: {error}") from None
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"{out_dir} is a file (or inside one), expected a folder") from None
    except OSError as error:
        raise UsageError(f"cannot write {out_dir}: {error.strerror or error}") from None


def run(args: argparse.Namespace) -> int:
    with package_errors(args.out_dir):
        path = gradescope_package.build(args.out_dir, tuple(args.exercises or ()), args.with_data,
                                        args.visibility)
    print(f"wrote {path}: upload it as the assignment's autograder (Gradescope: Configure Autograder)")
    return 0
