"""looplab release DIR: write the learner bundle (stubs, visible tests, hints, data set-up)."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.release import write_bundle

HELP = "write the learner bundle into a new folder: no solutions, no hidden suites"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="new folder for the bundle")


def run(args: argparse.Namespace) -> int:
    try:
        files = write_bundle(args.out_dir)
    except FileExistsError as error:
        print(f"looplab release: {error}")
        return 2
    print(f"wrote {len(files)} files to {args.out_dir}: give learners this folder (or a zip of it)")
    return 0
