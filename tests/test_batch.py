"""grade-all against a batch with hostile learners, and killed mid-way: it keeps going, keeps
every record it made, resumes without regrading, and leaves no process behind; against a class
folder as courses collect it (nested, ambiguous, empty, broken hand-ins); and rerun: only what
changed (by content, or by a run option that changes scores) is graded again.

Each end-to-end test runs ``python -m grader grade-all`` as a subprocess with TMPDIR inside its own tmp_path,
so every process the batch starts (worker, zygote, child) carries that TMPDIR in its environment
and the scratch folders of its children sit in a folder no other test shares."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from grader.grading.batch import OUTPUT_MARKER
from grader.grading.grade import GradeOptions
from grader.results import SubmissionResult

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "hostile"
SOLUTION = REPO / "solutions" / "ex02_five_line_loop.py"


def make_batch(root: Path, learners: dict[str, str | None]) -> Path:
    """One folder per learner holding its ex02 module: a corpus case, or the solution (None)."""
    submissions = root / "submissions"
    for name, case in learners.items():
        (submissions / name).mkdir(parents=True)
        source = HOSTILE / f"{case}.py" if case else SOLUTION
        text = source.read_text() + ("" if case else f"\n# SECRET-{name}\n")
        (submissions / name / "ex02_five_line_loop.py").write_text(text)
    return submissions


def grade_all_command(submissions: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader", "grade-all", str(submissions), "--out",
            str(submissions.parent / "gradebook.csv"), "--exercise", "ex02", "--threads", "1", *extra]


def environment(root: Path) -> dict[str, str]:
    (root / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(root / "tmp")}


def run_grade_all(submissions: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(grade_all_command(submissions, *extra), capture_output=True, text=True,
                          cwd=REPO, env=environment(submissions.parent), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def gradebook(submissions: Path) -> dict[str, dict]:
    with open(submissions.parent / "gradebook.csv", newline="") as handle:
        return {row["learner"]: row for row in csv.DictReader(handle)}


def record(submissions: Path, learner: str) -> dict:
    return json.loads((submissions.parent / "gradebook.results" / f"{learner}.json").read_text())


def batch_processes(root: Path, timeout_s: float = 10.0) -> list[str]:
    """Living processes whose environment carries this test's TMPDIR (after a grace period)."""
    needle = f"TMPDIR={root / 'tmp'}".encode()
    deadline = time.monotonic() + timeout_s
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                alive = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
                if alive and needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
            except (OSError, ValueError):
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.parametrize("sandbox", ["auto", "none"])
def test_grade_all_goes_on_past_hostile_learners_and_keeps_true_records(tmp_path, sandbox):
    """Isolated (the default) the attacks do not reach the worker or the store; without isolation
    the batch's own backstops still keep every record true."""
    learners = {"alice": None, "bob": "snoop", "carol": "kill_worker", "dave": "forge_results", "zed": None}
    submissions = make_batch(tmp_path, learners)
    (submissions / "eve").symlink_to("eve")  # a link to itself: the worker cannot even open it
    done = run_grade_all(submissions, "--sandbox", sandbox)
    rows = gradebook(submissions)
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "eve", "zed"], done.stdout
    assert {name: rows[name]["total"] for name in rows} == {
        "alice": "15", "bob": "0", "carol": "0", "dave": "0", "eve": "0", "zed": "15"}, done.stdout
    carol = " ".join(check["message"] for check in record(submissions, "carol")["checks"])
    if sandbox == "none":
        assert "killed by signal 9" in rows["carol"]["error"]
        assert "restored results changed by something else" in done.stderr
        assert "warning: --sandbox none" in done.stderr
    else:
        assert "no grader.grading.worker process above me" in carol, carol
        assert rows["carol"]["error"].startswith("no points: ex02: "), "the worker was not killed"
        assert "restored" not in done.stderr, "learner code reached the results store"
    assert "is not a folder" in rows["eve"]["error"]
    bob = " ".join(check["message"] for check in record(submissions, "bob")["checks"])
    assert "snooped" not in bob, "bob read another learner's file"
    assert record(submissions, "alice")["checks"][0]["title"] != "forged"
    assert sorted(p.name for p in (tmp_path / "gradebook.results").iterdir() if p.name != OUTPUT_MARKER) == [
        f"{name}.json" for name in sorted(rows)]
    assert not batch_processes(tmp_path)


def test_killed_grade_all_resumes_without_regrading_and_force_regrades(tmp_path):
    submissions = make_batch(tmp_path, {"ann": None, "ben": None, "cat": None})
    store = tmp_path / "gradebook.results"
    grader = subprocess.Popen(grade_all_command(submissions, "--workers", "2"), cwd=REPO, text=True,
                              env=environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = grader.stdout.readline()  # "ann: 15/15": recorded, its file written
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    grader.stdout.close()
    learner = first.split(":")[0]
    assert first.strip().endswith("15/15") and (store / f"{learner}.json").exists(), first
    stamp = (store / f"{learner}.json").stat()
    assert not batch_processes(tmp_path), "killing grade-all left its workers or children running"

    resumed = run_grade_all(submissions, "--workers", "2")
    assert f"{learner}:" not in resumed.stdout, f"{learner} was graded again:\n{resumed.stdout}"
    after = (store / f"{learner}.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)
    assert {name: row["total"] for name, row in gradebook(submissions).items()} == {
        "ann": "15", "ben": "15", "cat": "15"}

    forced = run_grade_all(submissions, "--workers", "2", "--force")
    assert all(f"{name}: 15/15" in forced.stdout for name in ("ann", "ben", "cat")), forced.stdout
    assert (store / f"{learner}.json").stat().st_ino != stamp.st_ino
    assert sorted(gradebook(submissions)) == ["ann", "ben", "cat"]
    assert [p.name for p in store.glob(".*")] == [OUTPUT_MARKER], "attempt markers or incoming files were left behind"
    assert not batch_processes(tmp_path)


def test_learner_that_keeps_stopping_the_grader_is_recorded_as_an_error(tmp_path):
    """After MAX_ATTEMPTS unfinished starts, a learner is recorded, not graded again; a result
    found next to an open attempt (learner code could have written it) is not trusted."""
    from grader.grading.batch import MAX_ATTEMPTS, grade_all
    from grader.grading.grade import GradeOptions

    submissions = make_batch(tmp_path, {"mallory": "kill_worker"})
    store = tmp_path / "gradebook.results"
    store.mkdir()
    (store / ".mallory.attempt").write_text(str(MAX_ATTEMPTS))
    (store / "mallory.json").write_text(json.dumps({"learner": "mallory", "checks": [], "error": ""}))
    [result] = grade_all(submissions, tmp_path / "gradebook.csv", GradeOptions(exercises=("ex02",)))
    assert f"started {MAX_ATTEMPTS} times and never finished" in result.error
    assert record(submissions, "mallory")["error"] == result.error
    assert not (store / ".mallory.attempt").exists()


def test_a_class_folder_as_courses_collect_it(tmp_path):
    """Modules nested at any depth are graded, two for one exercise are named, an empty folder
    and a syntax error say so, the files graded are listed, and a feedback folder written inside
    the submissions folder is not a learner, in this run or the next."""
    submissions = tmp_path / "submissions"
    for relative in ("alice/hw/exercises", "erin/a", "erin/b"):
        (submissions / relative / SOLUTION.name).parent.mkdir(parents=True)
        shutil.copy(SOLUTION, submissions / relative / SOLUTION.name)
    (submissions / "carol").mkdir()
    (submissions / "carol" / SOLUTION.name).write_text("def train_step(:\n")
    (submissions / "dave" / "notes").mkdir(parents=True)
    feedback = submissions / "reports" / "feedback"
    done = run_grade_all(submissions, "--workers", "2", "--feedback", str(feedback))
    rows = gradebook(submissions)
    assert {name: row["total"] for name, row in rows.items()} == {
        "alice": "15", "carol": "0", "dave": "0", "erin": "0"}, done.stdout
    assert rows["alice"]["files"] == f"hw/exercises/{SOLUTION.name}"
    assert "syntax error on line 1" in rows["carol"]["error"]
    assert rows["dave"]["error"].startswith("no exercise modules found")
    assert f"a/{SOLUTION.name}" in rows["erin"]["error"] and f"b/{SOLUTION.name}" in rows["erin"]["error"]
    assert f"Graded file: `hw/exercises/{SOLUTION.name}`" in (feedback / "alice.md").read_text()
    assert "4 graded, 0 unchanged" in done.stdout
    again = run_grade_all(submissions)
    assert "0 graded, 4 unchanged" in again.stdout and sorted(gradebook(submissions)) == sorted(rows), again.stdout


def _fake_worker(graded: list[str]):
    """A worker that records who it graded and hands back an empty result on the run's device."""
    def run_worker(path: Path, incoming: Path, options: dict, servers=None) -> str:
        graded.append(path.name)
        incoming.write_text(json.dumps(SubmissionResult(path.name, device=options["device"]).to_dict()))
        return ""
    return run_worker


def test_reruns_regrade_what_changed_by_content_and_keep_the_rest(tmp_path, monkeypatch):
    import grader.grading.batch as batch

    submissions = make_batch(tmp_path, {"ann": None, "ben": None, "cat": None})
    graded: list[str] = []
    monkeypatch.setattr(batch, "_run_worker", _fake_worker(graded))
    options = GradeOptions(exercises=("ex02",), sandbox="none")
    batch.grade_all(submissions, tmp_path / "gb.csv", options)
    assert sorted(graded) == ["ann", "ben", "cat"]
    ann, ben = submissions / "ann" / SOLUTION.name, submissions / "ben" / SOLUTION.name
    ann.write_text(ann.read_text() + "\n# fixed\n")
    os.utime(ben, (1, 1))
    shutil.copy(ben, tmp_path / "copy.py")
    os.replace(tmp_path / "copy.py", ben)  # a new inode and time, the same content
    graded.clear()
    results = batch.grade_all(submissions, tmp_path / "gb.csv", options)
    assert graded == ["ann"] and len(results) == 3
    graded.clear()
    batch.grade_all(submissions, tmp_path / "gb.csv", GradeOptions(exercises=("ex02", "ex03"), sandbox="none"))
    assert sorted(graded) == ["ann", "ben", "cat"], "a record graded on other exercises is not kept"


def test_a_record_graded_on_another_device_is_regraded(tmp_path, monkeypatch):
    import grader.grading.batch as batch

    submissions = make_batch(tmp_path, {"ann": None, "ben": None})
    store = batch.Store(batch.results_dir(tmp_path / "gb.csv"))
    on_cuda = {**asdict(GradeOptions(exercises=("ex02",))), "device": "cuda"}
    for name in ("ann", "ben"):
        store.record(SubmissionResult(name, device="cuda"), batch.fingerprint(submissions / name, on_cuda))
    graded: list[str] = []
    monkeypatch.setattr(batch, "_run_worker", _fake_worker(graded))
    results = batch.grade_all(submissions, tmp_path / "gb.csv", GradeOptions(exercises=("ex02",), device="cpu", sandbox="none"))
    assert sorted(graded) == ["ann", "ben"] and {r.device for r in results} == {"cpu"}
