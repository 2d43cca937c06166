"""looplab grade-all SUBMISSIONS_DIR --out gradebook.csv: grade every learner's folder."""
from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from grader.grading.batch import grade_all
from grader.commands import UsageError, existing_folder, positive_int, writable_file, writable_folder
from grader.commands.grade import (add_grading_options, options_from, run_problems_stop_the_command,
                                   warn_without_isolation)
from grader.reports import feedback, gradescope
from grader.reports.gradebook_csv import what_went_wrong
from grader.results import SubmissionResult

HELP = "grade every learner's folder in a directory into a CSV gradebook (reruns grade only what changed)"
DESCRIPTION = """\
Grade every learner in SUBMISSIONS (one folder per learner, named after the learner) into a
CSV gradebook: one row per learner, one column per check, then total, max_total, seed, error
(what went wrong, on every row without points) and files (the modules graded). A learner's
exNN_*.py modules are found at any depth inside their folder; two files for one exercise are
reported in the error column, not guessed between. A check skipped because it needs a GPU is
left blank and out of max_total.

Each learner's record is kept beside the CSV (gradebook.results/ for gradebook.csv). Running the same command
again grades only learners whose files changed (compared by content) or who were graded with
another --device, --exercise or --seed, keeps the others, and ends with "N graded, M unchanged";
an interrupted run resumes where it stopped. --force regrades everyone.

A problem with the run itself (no GPU for --device cuda, MNIST missing while ex08 is graded,
an unknown exercise, options that need each other, an output that cannot be written) stops it
with one line and exit status 2 before any learner is graded."""
EXAMPLES = """\
examples:
  looplab grade-all submissions/ --out gradebook.csv --workers 2
  looplab grade-all submissions/ --out gradebook.csv --feedback feedback/   # one LEARNER.md each
  looplab grade-all submissions/ --out gradebook.csv --exercise ex02 --exercise ex03
  looplab grade-all submissions/ --out gradebook.csv \\
      --nbgrader-db sqlite:///gradebook.db --course ml101 --assignment loops"""
NBGRADER_DEFAULT = "looplab"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                        help="the folder holding one folder per learner (its name is the learner's)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the CSV gradebook to write (records are kept beside it: gradebook.results/ for gradebook.csv)")
    parser.add_argument("--workers", type=positive_int, default=1, metavar="N",
                        help="learners graded at the same time (1 or more; 2 suits two cores)")
    parser.add_argument("--force", action="store_true",
                        help="regrade every learner, even those whose files did not change")
    for flag, what in (("--feedback", "feedback as FOLDER/LEARNER.md"),
                       ("--json-dir", "Gradescope results.json as FOLDER/LEARNER.json")):
        parser.add_argument(flag, type=Path, metavar="FOLDER", help=f"also write each learner's {what}")
    parser.add_argument("--nbgrader-db", metavar="URL",
                        help="also record every check in this nbgrader gradebook (sqlite:///gradebook.db)")
    for flag, metavar, what in (("--course", "ID", "course id"), ("--assignment", "NAME", "assignment name")):
        parser.add_argument(flag, default=NBGRADER_DEFAULT, metavar=metavar,
                            help=f"nbgrader {what} (needs --nbgrader-db; default {NBGRADER_DEFAULT})")
    add_grading_options(parser)


def run(args: argparse.Namespace) -> int:
    _check_arguments(args)
    warn_without_isolation(args)
    graded = []

    def report(result: SubmissionResult) -> None:
        graded.append(result.learner)
        score = f"{result.score:g}/{result.max_score:g}"
        problem = what_went_wrong(result)
        print(f"{result.learner}: {score}" + (f" ({problem})" if problem else ""), flush=True)
        if args.feedback:
            feedback.write(result, args.feedback)
        if args.json_dir:
            gradescope.write(result, args.json_dir / f"{result.learner}.json")

    with run_problems_stop_the_command():
        results = grade_all(args.submissions, args.out, options_from(args, threads=args.threads),
                            workers=args.workers, force=args.force, on_done=report,
                            outputs=tuple(p for p in (args.feedback, args.json_dir) if p))
    print(f"{len(graded)} graded, {len(results) - len(graded)} unchanged")
    print(f"gradebook: {args.out} ({len(results)} learners)")
    if args.nbgrader_db:
        from grader.exports.nbgrader_gradebook import record

        grades = record(results, args.nbgrader_db, args.course, args.assignment)
        print(f"nbgrader gradebook: {args.nbgrader_db} ({grades} grades, assignment {args.assignment})")
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    """Paths, outputs and options that need each other: one UsageError before anything is graded."""
    existing_folder(args.submissions, "the submissions folder")
    writable_file(args.out, "the gradebook")
    for folder, option in ((args.feedback, "--feedback"), (args.json_dir, "--json-dir")):
        if folder:
            writable_folder(folder, option)
    lone = [option for option, value in (("--course", args.course), ("--assignment", args.assignment))
            if value != NBGRADER_DEFAULT]
    if lone and not args.nbgrader_db:
        verb = "say" if len(lone) > 1 else "says"
        raise UsageError(f"{' and '.join(lone)} {verb} where --nbgrader-db records grades: give --nbgrader-db too")
    if args.nbgrader_db:
        _check_nbgrader_db(args.nbgrader_db)


def _check_nbgrader_db(url: str) -> None:
    from grader.exports.nbgrader_gradebook import INSTALL_HINT

    if importlib.util.find_spec("nbgrader") is None:
        raise UsageError(f"--nbgrader-db needs nbgrader: {INSTALL_HINT}")
    if "://" not in url:
        raise UsageError(f"--nbgrader-db {url} is not a database URL such as sqlite:///gradebook.db")
    if url.startswith("sqlite:///"):
        writable_file(Path(url.removeprefix("sqlite:///")), "--nbgrader-db")
