"""Bad input to the instructors' commands: one line that names the problem, exit status 2, no
traceback; grade-all never grades its own outputs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.batch import learners

REPO = Path(__file__).resolve().parent.parent


def _looplab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


@pytest.mark.parametrize("args, phrase", [
    (["grade", "{tmp}/missing"], "does not exist"),
    (["grade", "{tmp}/file.txt"], "is not a folder"),
    (["grade-all", "{tmp}/missing", "--out", "{tmp}/gb.csv"], "does not exist"),
    (["grade-all", "{tmp}/file.txt", "--out", "{tmp}/gb.csv"], "is not a folder"),
    (["grade-all", "{tmp}", "--out", "{tmp}/file.txt/gb.csv"], "cannot be written"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--workers", "0"], "is not at least 1"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--workers", "-1"], "is not at least 1"),
    (["grade-all", "{tmp}", "--out", "{tmp}/gb.csv", "--course", "ml101"], "give --nbgrader-db too"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, phrase):
    (tmp_path / "file.txt").write_text("not a folder")
    done = _looplab(*[arg.format(tmp=tmp_path) for arg in args])
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert phrase in done.stderr.strip().splitlines()[-1], done.stderr  # after argparse's usage, if any


def test_grade_all_never_takes_its_own_outputs_for_learners(tmp_path):
    submissions = tmp_path / "subs"
    for name in ("alice", "gradebook.results", "feedback"):
        (submissions / name).mkdir(parents=True)
    found = learners(submissions, outputs=(submissions / "gradebook.results", submissions / "feedback"))
    assert [path.name for path in found] == ["alice"]


def test_no_isolation_is_refused_with_a_reason_where_none_is_available(tmp_path, monkeypatch):
    from grader import sandbox

    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    monkeypatch.setattr(sandbox, "can_switch_uid", lambda: False)
    with pytest.raises(sandbox.SandboxUnavailable, match="--sandbox none"):
        sandbox.resolve("auto")
    assert sandbox.resolve("none") == "none"
    assert os.environ.get("LOOPLAB_ZYGOTE") != "0"
