"""looplab watch: re-run the current exercise's visible tests every time an exercise file is saved."""
from __future__ import annotations

import argparse
import queue
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from grader.commands.learner_folder import add_folder_argument, exercises_folder
from grader.commands.watch_session import WatchSession

HELP = "re-run the current exercise's visible tests on every save, with its hint and your progress"
DESCRIPTION = """\
Like rustlings: start at the first exercise not done, run its visible tests, and run them again
every time an exercise file in the folder is saved (watchdog reports the saves). Each run shows
the first failing test's message, the hint for that failure and your progress; when the exercise
passes, watching moves on to the next one. Ctrl-C stops."""
EXAMPLES = """\
examples:
  looplab watch                         # the exercises/ folder of this checkout
  looplab watch --folder ~/looplab/exercises"""
SETTLE_S = 0.3  # an editor's save can be several events: wait this long for the rest
_SAVE_EVENTS = ("modified", "created", "moved")


class SavedFiles(FileSystemEventHandler):
    """Puts the path of every file written, created or renamed into place on a queue."""

    def __init__(self, saved: queue.Queue) -> None:
        self.saved = saved

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _SAVE_EVENTS and not event.is_directory:
            self.saved.put(Path(str(event.dest_path or event.src_path)))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_folder_argument(parser)


def run(args: argparse.Namespace) -> int:
    folder = exercises_folder(args)
    session = WatchSession(folder, say=lambda line: print(line, flush=True))
    saved: queue.Queue = queue.Queue()
    observer = Observer()
    observer.schedule(SavedFiles(saved), str(folder), recursive=False)
    observer.start()
    try:
        session.start()
        while True:
            for path in _one_burst(saved):
                if session.on_change(path):
                    break
    except KeyboardInterrupt:
        print("\nStopped watching.")
    finally:
        observer.stop()
        observer.join()
    return 0


def _one_burst(saved: queue.Queue) -> list[Path]:
    """The paths of the next burst of saves, each once, in the order first seen."""
    paths = [saved.get()]
    time.sleep(SETTLE_S)
    while not saved.empty():
        paths.append(saved.get_nowait())
    return list(dict.fromkeys(paths))
