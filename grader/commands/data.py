"""looplab data [--mirror DIR]: put MNIST in data/MNIST/raw and verify it."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader import mnist
from grader.commands import UsageError, existing_folder

HELP = "put MNIST into data/ (download it, or copy it from a folder) and verify its MD5s"
DESCRIPTION = """\
Prepare the MNIST digits that exercise 8 trains on and that the grader measures accuracy on:
download them (through torchvision), or copy the four files from a folder you have (gzipped or
not), then verify each file's MD5. Files already in place and intact are kept."""
EXAMPLES = """\
examples:
  looplab data                                        # download (needs internet)
  looplab data --mirror /path/to/MNIST/raw --no-download
  looplab data --root /srv/looplab-data               # then: export LOOPLAB_DATA=/srv/looplab-data"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mirror", type=Path, metavar="FOLDER",
                        help="copy the four MNIST files from FOLDER (.gz or uncompressed) instead of downloading")
    parser.add_argument("--root", type=Path, default=None, metavar="FOLDER",
                        help="where the data goes (default: $LOOPLAB_DATA, else data/ in the kit)")
    parser.add_argument("--no-download", action="store_true",
                        help="never use the network: fail with a message if a file is missing")


def run(args: argparse.Namespace) -> int:
    if args.mirror:
        existing_folder(args.mirror, "--mirror")
    try:
        raw = mnist.prepare(args.root, mirror=args.mirror, download=not args.no_download)
    except mnist.MnistDataError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"the data folder {mnist.data_root(args.root)} cannot be written: "
                         f"{error.strerror or error}") from None
    print(f"MNIST ready in {raw} (MD5s verified)")
    return 0
