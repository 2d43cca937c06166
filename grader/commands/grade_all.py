"""looplab grade-all SUBMISSIONS_DIR --out gradebook.csv: grade every learner's folder."""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.batch import grade_all
from grader.commands import UsageError, existing_folder, positive_int, writable_file
from grader.commands.grade import add_grading_options, options_from, warn_without_isolation
from grader.reports import feedback_markdown, gradescope

HELP = "grade every submission folder in a directory into a CSV gradebook"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="directory with one folder per learner")
    parser.add_argument("--out", type=Path, required=True, help="CSV gradebook to write")
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="learners graded at the same time (1 or more; 2 suits two cores)")
    parser.add_argument("--force", action="store_true", help="regrade learners already recorded")
    parser.add_argument("--feedback", type=Path, help="write one LEARNER.md per learner here")
    parser.add_argument("--json-dir", type=Path, help="write one LEARNER.json (Gradescope) here")
    parser.add_argument("--nbgrader-db", metavar="URL",
                        help="also record every check in this nbgrader gradebook (sqlite:///gradebook.db)")
    parser.add_argument("--course", default="looplab", help="nbgrader course id (with --nbgrader-db)")
    parser.add_argument("--assignment", default="looplab", help="nbgrader assignment (with --nbgrader-db)")
    add_grading_options(parser)


def run(args: argparse.Namespace) -> int:
    existing_folder(args.submissions, "the submissions folder")
    writable_file(args.out, "the gradebook")
    if (args.course != "looplab" or args.assignment != "looplab") and not args.nbgrader_db:
        raise UsageError("--course and --assignment name where --nbgrader-db records grades: give --nbgrader-db too")
    warn_without_isolation(args)
    def report(result) -> None:
        status = f"error: {result.error}" if result.error else f"{result.score:g}/{result.max_score:g}"
        print(f"{result.learner}: {status}", flush=True)
        if args.feedback:
            feedback_markdown.write(result, args.feedback)
        if args.json_dir:
            gradescope.write(result, args.json_dir / f"{result.learner}.json")

    results = grade_all(args.submissions, args.out, options_from(args, threads=args.threads),
                        workers=args.workers, force=args.force, on_done=report,
                        outputs=tuple(p for p in (args.feedback, args.json_dir) if p))
    print(f"gradebook: {args.out} ({len(results)} learners)")
    if args.nbgrader_db:
        from grader.nbgrader_gradebook import record

        grades = record(results, args.nbgrader_db, args.course, args.assignment)
        print(f"nbgrader gradebook: {args.nbgrader_db} ({grades} grades, assignment {args.assignment})")
    return 0
