"""The zygote (fork server) runs a child like the spawn path does, in each sandbox, and its wall
limit holds."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.launch import zygote, zygote_lanes
from grader.launch.child_launcher import ChildRequest, run_child
from grader.launch.limits import Limits
from grader.paths import SOLUTIONS_DIR
from grader.launch.sandbox import bwrap_works, can_switch_uid, closed_to_others, resolve

EX02_INPUTS = {"n": 83, "slope": -1.3, "intercept": 0.7, "seed": 11, "lr": 0.1, "epochs": 7,
               "line_epochs": 100}


SANDBOXES = [
    pytest.param("uid", marks=pytest.mark.skipif(not can_switch_uid(), reason=f"no separate-user fallback here "
                                                 f"(not root, or {closed_to_others()} is closed to other users)")),
    pytest.param("bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no working bubblewrap")),
]


def _run(learner: Path, limits: Limits = Limits(), sandbox: str | None = None):
    return run_child(ChildRequest("ex02", learner, inputs=EX02_INPUTS, sandbox=sandbox or resolve("auto")), limits)


def test_zygote_is_used_only_where_fork_is_safe(monkeypatch):
    assert zygote.enabled("cpu", "none") and zygote.enabled("meta", "uid") and zygote.enabled("cpu", "bwrap")
    assert not zygote.enabled("cuda", "none") and not zygote.enabled("cuda:0", "bwrap")
    monkeypatch.setenv(zygote.SWITCH_VARIABLE, "0")
    assert not zygote.enabled("cpu", "none")


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_forked_child_observes_what_a_spawned_child_does(tmp_path, monkeypatch, sandbox):
    learner = SOLUTIONS_DIR / "ex02_five_line_loop.py"
    forked = _run(learner, sandbox=sandbox)
    servers = zygote_lanes.servers(sandbox == "bwrap")
    assert servers and all(server.alive for server in servers)  # it went through a zygote
    monkeypatch.setenv(zygote.SWITCH_VARIABLE, "0")
    spawned = run_child(ChildRequest("ex02", learner, inputs=EX02_INPUTS, sandbox=sandbox))
    assert forked.status == spawned.status == "ok"
    assert forked.observations == spawned.observations
    assert set(forked.tensors) == set(spawned.tensors)
    for name, tensor in spawned.tensors.items():
        assert forked.tensors[name].equal(tensor), name


def test_forked_child_cannot_import_the_hidden_suites(tmp_path):
    learner = tmp_path / "learner" / "ex02_five_line_loop.py"
    learner.parent.mkdir()
    learner.write_text("import grader.hidden\n")
    outcome = _run(learner)
    assert outcome.status == "import_error"
    assert "grader.hidden" in outcome.message


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_wall_limit_kills_a_forked_child_and_its_group(tmp_path, sandbox):
    learner = tmp_path / "learner" / "ex02_five_line_loop.py"
    learner.parent.mkdir()
    learner.write_text("import subprocess, time\nsubprocess.Popen(['sleep', '60'])\ntime.sleep(60)\n")
    started = time.monotonic()
    outcome = _run(learner, Limits(wall_s=2), sandbox=sandbox)
    assert outcome.status == "timeout"
    assert time.monotonic() - started < 30
    assert all(server.alive for server in zygote_lanes.servers(sandbox == "bwrap"))  # it serves the next child


@pytest.fixture(autouse=True, scope="module")
def _close_zygote():
    yield
    zygote_lanes.close_all()


def test_a_worker_starts_the_zygote_before_its_own_heavy_imports(monkeypatch, tmp_path):
    import grader.grading.grade
    import grader.grading.worker
    from grader.results import SubmissionResult

    calls = []
    monkeypatch.setattr(zygote_lanes, "prestart", lambda device, sandbox, lanes: calls.append((device, sandbox, lanes)))
    monkeypatch.setattr(grader.grading.grade, "grade_submission",
                        lambda folder, options: SubmissionResult(folder.name))
    grader.grading.worker.main([str(tmp_path), str(tmp_path / "r.json"),
                                '{"device": "cpu", "sandbox": "uid", "threads": 3}'])
    assert calls == [("cpu", "uid", 2)]  # 3 cores: the worker's own and two lanes


def test_grade_all_hands_workers_a_resolved_device(monkeypatch, tmp_path):
    import grader.grading.batch
    from grader.grading.grade import GradeOptions

    (tmp_path / "subs" / "alice").mkdir(parents=True)
    seen = []
    monkeypatch.setattr(grader.grading.batch, "_grade_one",
                        lambda path, store, options, servers: seen.append(options["device"]))
    monkeypatch.setattr(grader.grading.batch, "load_result", lambda path: None)
    grader.grading.batch.grade_all(tmp_path / "subs", tmp_path / "gb.csv", GradeOptions(device="auto"))
    assert seen == ["cuda" if __import__("torch").cuda.is_available() else "cpu"]


@pytest.mark.parametrize("sandbox", SANDBOXES)
def test_one_fork_server_serves_child_after_child(sandbox):
    learner = SOLUTIONS_DIR / "ex02_five_line_loop.py"
    outcomes, servers = [], []
    for _ in range(3):
        outcomes.append(_run(learner, sandbox=sandbox))
        servers.append(zygote_lanes.servers(sandbox == "bwrap"))
    assert [outcome.status for outcome in outcomes] == ["ok"] * 3
    assert len(servers[0]) == 1 and servers[0] == servers[1] == servers[2] and servers[0][0].alive


def test_lanes_leave_a_core_to_the_grading_process():
    assert [zygote_lanes.children_at_once(cores) for cores in (1, 2, 3, 16)] == [1, 1, 2, zygote_lanes.MAX_LANES]


def test_two_lanes_run_two_children_at_once(tmp_path):
    """Each child waits (up to 60 s) for the other to have started: only side by side do both
    finish, each through a zygote of its own."""
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    learners = []
    for me, other in (("a", "b"), ("b", "a")):
        learner = tmp_path / me / "ex02_five_line_loop.py"
        learner.parent.mkdir()
        learner.write_text(
            (SOLUTIONS_DIR / "ex02_five_line_loop.py").read_text() + "\nimport pathlib, time\n"
            f"pathlib.Path({str(meeting / me)!r}).touch()\n"
            f"for _ in range(600):\n    if pathlib.Path({str(meeting / other)!r}).exists():\n        break\n"
            "    time.sleep(0.1)\nelse:\n    raise SystemExit('alone')\n")
        learners.append(learner)
    zygote_lanes.prestart("cpu", "none", lanes=2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda learner: _run(learner, sandbox="none"), learners))
    assert [outcome.status for outcome in outcomes] == ["ok", "ok"], [o.message for o in outcomes]
    assert len(zygote_lanes.servers(False)) == 2
