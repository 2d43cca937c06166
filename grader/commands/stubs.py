"""looplab stubs [--check]: regenerate exercises/ stubs from the solutions' marked regions."""
from __future__ import annotations

import argparse

from grader import signatures_doc
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.stubgen import drift, generate

HELP = "regenerate the learner stubs in exercises/ from solutions/ (or --check they are in sync)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report stubs out of sync")


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
