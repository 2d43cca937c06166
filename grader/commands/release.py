"""looplab release DIR: write the learner bundle (stubs, visible tests, hints, data set-up)."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands import new_folder
from grader.exports.release import write_bundle

HELP = "write the folder to hand out to learners (stubs, visible tests, hints; no answers)"
DESCRIPTION = """\
Write the learner bundle into a new folder: the exercise stubs (generated from the solutions),
the visible tests with their progress table and hints, the data set-up (`looplab data`) and a
README for learners. No solutions, no hidden suites. Give learners the folder or a zip of it;
they run `make install data` once, then `pytest exercises/`."""
EXAMPLES = """\
examples:
  looplab release ../looplab-for-learners
  cd ../looplab-for-learners && zip -r ../looplab.zip ."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, metavar="FOLDER",
                        help="a new folder for the bundle (it must not exist yet)")


def run(args: argparse.Namespace) -> int:
    new_folder(args.out_dir, "the bundle folder")
    files = write_bundle(args.out_dir)
    print(f"wrote {len(files)} files to {args.out_dir}: give learners this folder (or a zip of it)")
    return 0
