"""The ``looplab`` command: one sub-command per module in ``grader.commands``."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("grade", "grade_all", "data", "stubs", "check", "bench", "nbgrader_course", "gradescope", "release", "prairielearn", "classroom", "mutate", "watch", "hint", "progress")

DESCRIPTION = """\
looplab: ten auto-graded exercises on the PyTorch training loop, and the grader behind them.

Learners write the exercises in exercises/ and check themselves with `pytest exercises/`.
Instructors grade hand-ins with looplab's hidden checks, which run learner code isolated and
explain every lost point in words the learner can act on. Run `looplab COMMAND --help` for what
a command does, its options and examples."""
FIRST_STEPS = {  # command: (an example, what it does), shown by `looplab --help`
    "data": ("looplab data", "once: put MNIST into data/"),
    "check": ("looplab check", "the grader works here: the solutions get full marks"),
    "grade": ("looplab grade submissions/alice", "one learner: a table per exercise"),
    "grade_all": ("looplab grade-all submissions/ --out grades.csv", "a class: one CSV row per learner"),
    "release": ("looplab release ../for-learners", "the folder to hand out to learners"),
}


def _examples() -> str | None:
    steps = [step for name, step in FIRST_STEPS.items() if name in COMMANDS]
    width = max((len(example) for example, _ in steps), default=0)
    lines = [f"  {example:<{width}}  # {comment}" for example, comment in steps]
    return "examples:\n" + "\n".join(lines) if lines else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="looplab", description=DESCRIPTION, epilog=_examples(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"grader.commands.{name}")
        sub = subparsers.add_parser(name.replace("_", "-"), help=module.HELP,
                                    description=getattr(module, "DESCRIPTION", module.HELP),
                                    epilog=getattr(module, "EXAMPLES", None),
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from grader.commands import UsageError
    from grader.launch.sandbox import SandboxUnavailable

    try:
        return int(args.run(args) or 0)
    except (UsageError, SandboxUnavailable) as error:  # the whole run's problem: one line, exit 2
        print(f"looplab {args.command}: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file the command had to read or write: named, without a traceback
        where = f": {error.filename}" if error.filename else ""
        print(f"looplab {args.command}: {error.strerror or error}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
