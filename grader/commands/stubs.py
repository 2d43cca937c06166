"""looplab stubs [--check]: regenerate exercises/ stubs from the solutions' marked regions."""
from __future__ import annotations

import argparse

from grader.authoring import signatures_doc
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.authoring.stubgen import drift, generate

HELP = "for the kit's authors: regenerate exercises/ from solutions/ (or --check they match)"
DESCRIPTION = """\
For the kit's authors. The solutions are the single source of truth: the learner's part of each
solution sits between `### BEGIN SOLUTION` and `### END SOLUTION`. This command rewrites every
stub in exercises/ from them, and exercises/README.md (the function signatures); --check only
reports the stubs that differ (exit status 1), as CI does."""
EXAMPLES = """\
examples:
  looplab stubs
  looplab stubs --check"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing: list the stubs that differ from what would be generated")


def run(args: argparse.Namespace) -> int:
    if args.check:
        problems = drift(SOLUTIONS_DIR, EXERCISES_DIR)
        for problem in problems:
            print(f"{problem.stub.name}: {problem.reason}; run `looplab stubs`")
        readme = signatures_doc.path_for(EXERCISES_DIR)
        stale = readme.read_text() != signatures_doc.render(SOLUTIONS_DIR) if readme.exists() else True
        if stale:
            print("README.md: differs from the generated signature list; run `looplab stubs`")
        return 1 if problems or stale else 0
    for stub in generate(SOLUTIONS_DIR, EXERCISES_DIR):
        print(f"wrote exercises/{stub.name}")
    signatures_doc.path_for(EXERCISES_DIR).write_text(signatures_doc.render(SOLUTIONS_DIR))
    print("wrote exercises/README.md")
    return 0
