"""looplab hint [exNN]: the next hint for the failure your last run found, one level deeper each time."""
from __future__ import annotations

import argparse
import textwrap

from grader.commands import UsageError
from grader.commands.learner_folder import add_folder_argument, exercises_folder, helper

HELP = "the next hint for an exercise's first failing test, one level deeper each time"
DESCRIPTION = """\
Show the next hint for the first test that failed in your last run of an exercise (pytest or
looplab watch): each call goes one level deeper, from a nudge to the answer, and a new failure
starts its own hint again. Without an exercise, the first one not done is taken."""
EXAMPLES = """\
examples:
  looplab hint          # the exercise you are on
  looplab hint ex03"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", nargs="?", help="exNN (default: the first exercise not done)")
    add_folder_argument(parser)


def run(args: argparse.Namespace) -> int:
    folder = exercises_folder(args)
    record, hints = helper(folder, "_record"), helper(folder, "_hints")
    modules = helper(folder, "_progress").Progress(folder).modules()
    key = args.exercise or record.RunRecord(folder).current(modules)
    if key is None:
        print("Every exercise passes its visible tests: no hint needed.")
        return 0
    if key not in modules:
        raise UsageError(f"no exercise {key!r} in {folder}; there are {', '.join(modules)}")
    run = record.RunRecord(folder).load().get(key) or record.ExerciseRun()
    test = run.first_failure.get("test") or (run.reported[0] if run.reported else None)
    sections = hints.read_sections(hints.hint_file(folder, modules[key].stem))
    section = hints.section_for(sections, test, run.first_failure.get("message", ""))
    if section is None or not section.levels:
        print(f"{key} has no hints: {modules[key].stem}.hint.md is missing or empty.")
        return 0
    level = hints.HintDepth(folder).show_next(key, section, seen=1 if test else 0)  # runs show the nudge
    failing = f", for {hints.function_of_test(test)}" if test else ""
    print(f"{key} hint {level} of {len(section.levels)}: {section.title}{failing}")
    print(textwrap.fill(section.levels[level - 1], width=100, initial_indent="  ", subsequent_indent="  "))
    if level == len(section.levels):
        print("That is the last hint for this failure: it gives the answer.")
    return 0
