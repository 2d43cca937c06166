"""The ``looplab`` command: one sub-command per module in ``grader.commands``."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("grade", "grade_all", "data", "stubs", "check", "bench", "nbgrader_course", "gradescope", "release", "prairielearn", "classroom")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="looplab", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"grader.commands.{name}")
        sub = subparsers.add_parser(name.replace("_", "-"), help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from grader.commands import UsageError
    from grader.sandbox import SandboxUnavailable

    try:
        return int(args.run(args) or 0)
    except (UsageError, SandboxUnavailable) as error:  # the whole run's problem: one line, exit 2
        print(f"looplab {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
