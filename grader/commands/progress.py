"""looplab progress: the table of exercises, from what your last test runs found."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands.learner_folder import add_folder_argument, exercises_folder, helper

HELP = "show which exercises pass, as your last `pytest exercises/` or `looplab watch` runs found"
DESCRIPTION = """\
Print the progress table without running anything: for each exercise, how many visible tests
passed in its last run, whether it is done, and whether its file changed since; then the next
exercise to do with the hint for its first failing test."""
EXAMPLES = """\
examples:
  looplab progress"""
CHANGED = "changed since its last run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_folder_argument(parser)


def run(args: argparse.Namespace) -> int:
    for line in progress_lines(exercises_folder(args)):
        print(line)
    return 0


def progress_lines(folder: Path) -> list[str]:
    """The table (an exercise never run says so), the progress bar and the next step with its hint."""
    record_module, progress = helper(folder, "_record"), helper(folder, "_progress")
    record, tracker = record_module.RunRecord(folder), progress.Progress(folder)
    runs, modules, titles = record.load(), tracker.modules(), tracker.titles()
    lines = [f"looplab progress ({folder.name}/)"]
    for key, module in modules.items():
        run = runs.get(key)
        changed = run is not None and run.fingerprint != record_module.fingerprint(module)
        lines.append(progress.table_row(key, titles[key], run, CHANGED if changed else ""))
    done = sum(record.is_done(key, module, runs) for key, module in modules.items())
    lines.append(progress.progress_bar(done, len(modules)))
    current = record.current(modules)
    if current is None:
        return lines + ["All exercises pass. Well done!"]
    lines += progress.next_exercise_lines(folder, current, runs.get(current) or record_module.ExerciseRun())
    return lines + ["Run `pytest exercises/` or `looplab watch` to bring this table up to date."]
