"""looplab data [--mirror DIR]: put MNIST in data/MNIST/raw and verify it."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader import mnist

HELP = "prepare MNIST in data/ (download, or copy from --mirror) and verify its MD5s"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mirror", type=Path, help="folder with the four MNIST files (.gz or not)")
    parser.add_argument("--root", type=Path, default=None,
                        help="data root (default: $LOOPLAB_DATA, else data/)")
    parser.add_argument("--no-download", action="store_true", help="never use the network")


def run(args: argparse.Namespace) -> int:
    try:
        raw = mnist.prepare(args.root, mirror=args.mirror, download=not args.no_download)
    except mnist.MnistDataError as error:
        print(f"looplab data: {error}")
        return 2
    print(f"MNIST ready in {raw} (MD5s verified)")
    return 0
