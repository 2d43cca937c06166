"""grade-all's warm worker server: a forked worker grades as a fresh one does, a worker that fails
or hangs becomes that learner's error, and a server that dies costs nothing but its warm start."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import grader.grading.batch as batch
from grader.grading import worker_run, worker_server
from grader.grading.grade import GradeOptions
from grader.grading.worker_server import WorkerServer, WorkerServers
from grader.paths import SOLUTIONS_DIR

OPTIONS = {"device": "cpu", "sandbox": "none", "threads": 1, "exercises": ["ex02"], "seed": 5, "limits": {}}


def _learner(root: Path, name: str, text: str | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "ex02_five_line_loop.py").write_text(text or (SOLUTIONS_DIR / "ex02_five_line_loop.py").read_text())
    return folder


def test_a_forked_worker_grades_as_a_fresh_one_does(tmp_path, monkeypatch):
    learner = _learner(tmp_path, "ann")
    servers = WorkerServers()
    try:
        warm = tmp_path / "warm.json"
        assert batch._run_worker(learner, warm, OPTIONS, servers) == ""
    finally:
        servers.close()
    cold = tmp_path / "cold.json"
    assert batch._run_worker(learner, cold, OPTIONS) == ""
    warm_checks, cold_checks = (json.loads(path.read_text())["checks"] for path in (warm, cold))
    assert warm_checks == cold_checks and warm_checks and all(c["status"] == "passed" for c in warm_checks)


def test_one_server_grades_submission_after_submission_from_the_same_state(tmp_path):
    server = WorkerServer()
    try:
        results = []
        for name in ("ann", "ben"):
            result = tmp_path / f"{name}.json"
            code, timed_out = server.run([str(_learner(tmp_path, name)), str(result), json.dumps(OPTIONS)],
                                         tmp_path / f"{name}.log", 120)
            assert (code, timed_out) == (0, False), (tmp_path / f"{name}.log").read_text()
            results.append(json.loads(result.read_text()))
        assert results[0]["checks"] == results[1]["checks"]  # the same seed, the same judging
        assert server.alive
    finally:
        server.close()


def test_a_worker_that_fails_gives_its_last_words(tmp_path):
    servers = WorkerServers()
    try:
        problem = batch._run_worker(tmp_path / "nobody", tmp_path / "r.json", {**OPTIONS, "bogus": 1}, servers)
    finally:
        servers.close()
    assert problem.startswith("TypeError") and "bogus" in problem, problem
    assert not list(tmp_path.glob("*.log"))


def test_a_hanging_worker_is_stopped_at_the_batch_limit(tmp_path, monkeypatch):
    learner = _learner(tmp_path, "slow", "import time\ntime.sleep(120)\n")
    monkeypatch.setattr(worker_run, "WORKER_TIMEOUT_S", 3)
    servers = WorkerServers()
    try:
        problem = batch._run_worker(learner, tmp_path / "r.json", OPTIONS, servers)
        assert problem == "grading took longer than 3 s"
        assert servers.for_this_thread().alive  # the server itself carries on
    finally:
        servers.close()


def test_a_failing_server_falls_back_to_a_fresh_worker(tmp_path, capsys, monkeypatch):
    def broken(self, argv, log, timeout_s):
        raise worker_server.WorkerServerError("the worker server ended")

    monkeypatch.setattr(WorkerServer, "run", broken)
    servers = WorkerServers()
    try:
        assert batch._run_worker(_learner(tmp_path, "ann"), tmp_path / "r.json", OPTIONS, servers) == ""
    finally:
        servers.close()
    assert "the worker server failed (the worker server ended); grading ann in a fresh process" in capsys.readouterr().err
    assert json.loads((tmp_path / "r.json").read_text())["checks"]


def test_a_dead_server_is_replaced_on_the_next_submission():
    servers = WorkerServers()
    try:
        first = servers.for_this_thread()
        first._process.kill()
        first._process.wait()
        second = servers.for_this_thread()
        assert second is not first and second.alive
    finally:
        servers.close()
    assert not second.alive


def test_the_switch_turns_the_server_off(monkeypatch):
    monkeypatch.setenv(worker_server.SWITCH_VARIABLE, "0")
    assert not worker_server.enabled()
    monkeypatch.setenv(worker_server.SWITCH_VARIABLE, "1")
    assert worker_server.enabled() == hasattr(os, "fork")


@pytest.mark.parametrize("switch", ["1", "0"])
def test_grade_all_scores_the_same_with_and_without_the_server(tmp_path, monkeypatch, switch):
    monkeypatch.setenv(worker_server.SWITCH_VARIABLE, switch)
    submissions = tmp_path / "class"
    _learner(submissions, "ann")
    _learner(submissions, "ben", "def train_step(*args):\n    raise NotImplementedError\n")
    results = batch.grade_all(submissions, tmp_path / "gb.csv",
                              GradeOptions(exercises=("ex02",), sandbox="none", seed=3), workers=2)
    scores = {r.learner: (r.score, r.max_score) for r in results}
    assert scores["ann"][0] == scores["ann"][1] > 0 and scores["ben"][0] == 0
