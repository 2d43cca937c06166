"""Bad input to every command: one line that names the problem, exit status 2, no traceback, and
nothing graded; problems of the whole run stop grade-all before any learner is graded;
grade-all never grades its own outputs; every option says what it does."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from grader.grading.batch import OUTPUT_MARKER, learners, mark_as_output
from grader.cli import build_parser, main

REPO = Path(__file__).resolve().parent.parent
INSTRUCTOR_COMMANDS = ("grade", "grade-all", "gradescope", "nbgrader-course", "release", "data", "stubs",
                       "check", "bench", "prairielearn", "classroom")


def _looplab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def _in_process(capsys, tmp_path: Path, args: list[str]) -> tuple[int, str, str]:
    """Run ``looplab ARGS`` in this process ({tmp} is tmp_path, which holds file.txt)."""
    (tmp_path / "file.txt").write_text("not a folder")
    try:
        code = main([arg.format(tmp=tmp_path) for arg in args])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, phrase", [
    (["grade", "{tmp}/missing"], "does not exist"),
    (["grade-all", "{tmp}", "--out", "{tmp}/file.txt/gb.csv"], "cannot be written"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--workers", "0"], "is not at least 1"),
])
def test_bad_input_is_one_line_and_exit_2_without_a_traceback(tmp_path, args, phrase):
    (tmp_path / "file.txt").write_text("not a folder")
    done = _looplab(*[arg.format(tmp=tmp_path) for arg in args])
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert phrase in done.stderr.strip().splitlines()[-1], done.stderr  # after argparse's usage, if any
    assert done.stdout == "", "nothing is graded, so no table is printed"


@pytest.mark.parametrize("args, phrase", [
    (["grade", "{tmp}", "--json", "{tmp}/file.txt/results.json"], "--json {tmp}/file.txt/results.json cannot be written"),
    (["grade", "{tmp}", "--feedback", "{tmp}/file.txt"], "--feedback {tmp}/file.txt is a file, expected a folder"),
    (["grade", "{tmp}", "--threads", "-1"], "-1 is not at least 0"),
    (["grade", "{tmp}", "--seed", "-5"], "-5 is not at least 0"),
    (["grade", "{tmp}", "--seed", "abc"], "'abc' is not a whole number"),
    (["grade", "{tmp}", "--exercise", "ex42"], "no exercise 'ex42'"),
    (["check", "--exercise", "ex42"], "no exercise 'ex42'"),
    (["grade", "{tmp}/file.txt"], "is not a folder"),
    (["grade-all", "{tmp}/missing", "--out", "{tmp}/gb.csv"], "does not exist"),
    (["grade-all", "{tmp}/file.txt", "--out", "{tmp}/gb.csv"], "is not a folder"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--workers", "-1"], "-1 is not at least 1"),
    (["grade-all", "{tmp}", "--out", "{tmp}", ], "is a folder, expected a file name"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--json-dir", "{tmp}/file.txt"], "is a file, expected a folder"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--course", "ml101"], "--course says where --nbgrader-db"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--course", "a", "--assignment", "b"],
     "--course and --assignment say where --nbgrader-db records grades: give --nbgrader-db too"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--nbgrader-db", "gradebook.db"], "is not a database URL"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--nbgrader-db", "sqlite:///{tmp}/file.txt/gb.db"],
     "cannot be written"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--exercise", "ex42"], "no exercise 'ex42'"),
    (["data", "--mirror", "{tmp}/missing"], "--mirror {tmp}/missing does not exist"),
    (["bench", "--write", "{tmp}/file.txt/performance.md"], "--write {tmp}/file.txt/performance.md cannot be written"),
    (["release", "{tmp}"], "already exists: name a new folder"),
    (["release", "{tmp}/file.txt/bundle"], "cannot be written"),
    (["nbgrader-course", "{tmp}/course", "--exercise", "ex42"], "no exercise 'ex42'"),
    (["nbgrader-course", "{tmp}/course", "--assignment", "../hw"], "is not a plain name"),
    (["nbgrader-course", "{tmp}/file.txt"], "is a file, expected a folder"),
    (["gradescope", "{tmp}/build", "--exercise", "ex42"], "no exercise 'ex42'"),
    (["gradescope", "{tmp}/file.txt"], "{tmp}/file.txt is a file (or inside one), expected a folder"),
    (["prairielearn", "{tmp}/file.txt", "--exercise", "ex02"], "is a file (or inside one), expected a folder"),
    (["classroom", "{tmp}/file.txt", "--grader", "looplab"], "is a file (or inside one), expected a folder"),
    (["stubs", "--chek"], "unrecognized arguments"),
])
def test_every_command_names_bad_input_in_one_line(capsys, tmp_path, args, phrase):
    code, out, err = _in_process(capsys, tmp_path, args)
    assert code == 2, out + err
    assert phrase.format(tmp=tmp_path) in err.strip().splitlines()[-1], err
    assert "Traceback" not in err and not list(tmp_path.glob("*.results")), "nothing is graded"


def test_missing_mnist_stops_grade_all_before_any_learner_is_graded(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPLAB_DATA", str(tmp_path / "no-data"))
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    code, out, err = _in_process(capsys, tmp_path, ["grade-all", "{tmp}/subs", "--out", "{tmp}/gb.csv",
                                                    "--exercise", "ex02", "--exercise", "ex08"])
    assert code == 2 and "ex08 is graded on MNIST, which is not ready" in err and "looplab data" in err, err
    assert len(err.strip().splitlines()) == 1 and "alice" not in out
    assert not (tmp_path / "gb.results").exists() and not (tmp_path / "gb.csv").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_stops_grade_all_instead_of_recording_error_rows(capsys, tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    code, out, err = _in_process(capsys, tmp_path, ["grade-all", "{tmp}/subs", "--out", "{tmp}/gb.csv",
                                                    "--device", "cuda", "--exercise", "ex02"])
    assert code == 2 and err.strip() == (
        "looplab grade-all: --device cuda was asked for, but no CUDA GPU is visible on this machine")
    assert not (tmp_path / "gb.results").exists()


def test_grade_all_never_takes_its_own_outputs_for_learners(tmp_path):
    """This run's outputs and folders above them are left out, and so is an earlier run's."""
    submissions = tmp_path / "subs"
    for name in ("alice", "gradebook.results", "feedback", "reports/json", "old/run1/feedback", "bob/notes"):
        (submissions / name).mkdir(parents=True)
    mark_as_output(submissions / "old" / "run1" / "feedback")
    found = learners(submissions, outputs=(submissions / "gradebook.results", submissions / "feedback",
                                           submissions / "reports" / "json"))
    assert [path.name for path in found] == ["alice", "bob"]
    assert (submissions / "old" / "run1" / "feedback" / OUTPUT_MARKER).is_file()


def test_no_isolation_is_refused_with_a_reason_where_none_is_available(tmp_path, monkeypatch):
    from grader.launch import sandbox

    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    monkeypatch.setattr(sandbox, "can_switch_uid", lambda: False)
    with pytest.raises(sandbox.SandboxUnavailable, match="--sandbox none"):
        sandbox.resolve("auto")
    assert sandbox.resolve("none") == "none"
    assert os.environ.get("LOOPLAB_ZYGOTE") != "0"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_of_every_command_says_what_it_does():
    silent = [f"looplab {name} {action.option_strings or action.dest}"
              for name, sub in _subcommands().items() for action in sub._actions
              if not isinstance(action, argparse._HelpAction) and not action.help]
    assert not silent, silent


@pytest.mark.parametrize("name", INSTRUCTOR_COMMANDS)
def test_each_command_help_says_what_it_does_with_an_example(name):
    sub = _subcommands()[name]
    assert sub.description and len(sub.description) > 150, "a paragraph on what the command does"
    assert sub.epilog and sub.epilog.startswith("examples:") and f"looplab {name}" in sub.epilog


def test_looplab_help_reads_for_instructors_and_learners():
    text = build_parser().format_help()
    assert "pytest exercises/" in text and "looplab COMMAND --help" in text
    assert "looplab grade-all submissions/ --out" in text and "sub-command per module" not in text
