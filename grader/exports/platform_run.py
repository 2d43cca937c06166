"""Grade one hand-in where a grading platform put it, and write that platform's results.

    python -m grader.exports.platform_run gradescope   --upload /autograder/submission --results /autograder/results/results.json
    python -m grader.exports.platform_run prairielearn --upload /grade/student --results /grade/results/results.json
    python -m grader.exports.platform_run classroom    --upload . --results looplab-results.json

The learner's modules are found wherever they sit in the upload (a zip of ``exercises/`` works).
``--settings`` reads the package's ``looplab-autograder.json`` (its exercises and Gradescope
visibility), written by ``looplab gradescope`` / ``looplab prairielearn``; ``--exercise`` and
``--visibility`` override it. Grading is on the CPU, isolated as ``--sandbox`` says (auto). A problem of the
grader itself (MNIST missing, no sandbox) is checked before grading and written as the
platform's "cannot grade" result. The exit status is 0 whenever a results file was written:
the platform then shows it; 2 means not even that was possible.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.grading.check_catalog import checks_of
from grader.curriculum import CURRICULUM, exercise
from grader.grading.grade import GradeOptions, RunProblem, check_run, grade_submission
from grader.reports import classroom, gradescope, prairielearn
from grader.results import SubmissionResult
from grader.launch.sandbox import SANDBOXES, SandboxUnavailable

PLATFORMS = ("gradescope", "prairielearn", "classroom")
SETTINGS_NAME = "looplab-autograder.json"


def settings_text(exercises: tuple[str, ...], visibility: str = "visible", mnist: str = "unused") -> str:
    """A package's settings: exercises graded, Gradescope visibility, how MNIST gets there
    (``bundled`` in the package, ``download`` at set-up, ``unused``)."""
    return json.dumps({"exercises": list(exercises), "visibility": visibility, "mnist": mnist}, indent=2) + "\n"


def read_settings(path: Path | None) -> dict:
    if path is None or not path.is_file():
        return {}
    return json.loads(path.read_text())


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="python -m grader.exports.platform_run", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("platform", choices=PLATFORMS)
    made.add_argument("--upload", type=Path, required=True, help="the folder holding the learner's files")
    made.add_argument("--results", type=Path, required=True, help="the results file to write")
    made.add_argument("--settings", type=Path, help=f"the package's {SETTINGS_NAME}")
    made.add_argument("--exercise", action="append", dest="exercises", metavar="exNN",
                      help="grade only this exercise (repeatable; default: the settings', else all)")
    made.add_argument("--visibility", choices=gradescope.VISIBILITIES,
                      help="Gradescope: when learners see each check's details (default: the settings', else visible)")
    made.add_argument("--sandbox", choices=SANDBOXES, default="auto",
                      help="how learner code is isolated (default auto); classroom's workflow passes none")
    made.add_argument("--github-output", type=Path, default=os.environ.get("GITHUB_OUTPUT"),
                      help="classroom: the step-output file that gets result=<base64> (default $GITHUB_OUTPUT)")
    return made


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = read_settings(args.settings)
    keys = tuple(args.exercises or settings.get("exercises") or [item.key for item in CURRICULUM])
    options = GradeOptions(device="cpu", sandbox=args.sandbox, exercises=keys)
    try:
        check_run(options)
    except (RunProblem, SandboxUnavailable, KeyError) as error:
        return _write(args, settings, problem=str(error).strip("'\""), keys=keys)
    result = grade_submission(args.upload, options, learner="submission")
    return _write(args, settings, result=result, keys=keys)


def _write(args: argparse.Namespace, settings: dict, keys: tuple[str, ...],
           result: SubmissionResult | None = None, problem: str = "") -> int:
    if problem:
        print(f"looplab: cannot grade: {problem}", file=sys.stderr)
    else:
        print("looplab: graded " + (", ".join(result.files.values()) or "no exercise module"))
    try:
        data = _results(args, settings, keys, result, problem)
        args.results.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.results, json.dumps(data, indent=2))
    except OSError as error:
        print(f"looplab: cannot write {args.results}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


def _results(args: argparse.Namespace, settings: dict, keys: tuple[str, ...],
             result: SubmissionResult | None, problem: str) -> dict:
    if args.platform == "gradescope":
        visibility = args.visibility or settings.get("visibility") or "visible"
        return gradescope.cannot_grade_json(problem) if problem else gradescope.results_json(result, visibility)
    if args.platform == "prairielearn":
        return prairielearn.not_gradable_json(problem) if problem else prairielearn.results_json(result)
    data = classroom.cannot_grade_json(problem, _max_points(keys)) if problem else classroom.reporter_json(result)
    for line in ([f"looplab: {problem}"] if problem else classroom.points_lines(result)):
        print(line)
    if args.github_output:
        with open(args.github_output, "a") as output:
            output.write(f"result={classroom.encoded(data)}\n")
    return data


def _max_points(keys: tuple[str, ...]) -> float:
    try:
        return sum(c.points for key in keys for c in checks_of(exercise(key).key) if not c.needs_cuda)
    except KeyError:
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
