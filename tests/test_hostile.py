"""Hostile submissions (tests/hostile/) against exercise 2: each gets no points for what it fakes
and a message that says what happened; the grader survives, leaves no process behind and stays
within its time limits. The bubblewrap tests skip, visibly, where ``bwrap`` is not installed."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.launch.child_launcher import ChildRequest, run_child
from grader.launch.child_result import read_outcome
from grader.grading.grade import GradeOptions, grade_submission
from grader.harness.child import RESULT_FILE, TENSOR_FILE
from grader.launch.limits import Limits
from grader.results import SubmissionResult

CORPUS = Path(__file__).resolve().parent / "hostile"
LIMITS = {"wall_s": 20, "cpu_s": 20, "memory_mb": 3072, "file_mb": 8}
HANG = {"wall_s": 6}  # the learner gets wall_s - 1 s: the supervisor stops it first
INPUTS = {"n": 83, "slope": -1.3, "intercept": 0.7, "seed": 11, "lr": 0.1, "epochs": 7,
          "line_epochs": 100}  # the hidden suite's, for the tests that run a child directly
SLACK_S = 30  # start-up of the zygote (import torch) on a busy two-core machine
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap is not installed (apt-get install -y bubblewrap)")


@dataclass(frozen=True)
class Case:
    """What a hostile case must get: its exact score out of 15 and phrases of its feedback."""

    score: float
    messages: tuple[str, ...] = ()
    limits: dict = field(default_factory=dict)


CASES = {
    "hang_python": Case(11, ("calling fit_line() raised TimeLimitExceeded: your code ran longer than 5 s",), HANG),
    "hang_torch": Case(0, ("calling train_step() raised CPULimitExceeded: your code used more than 3 s of CPU",),
                       {"cpu_s": 3, "wall_s": 60}),
    "sleep_forever": Case(8, ("calling fit() raised TimeLimitExceeded",), HANG),
    "dataloader_deadlock": Case(0, ("calling train_step() raised TimeLimitExceeded",), HANG),
    "leftover_processes": Case(15),
    "memory": Case(0, ("can't allocate memory", "raised MemoryError",
                       "(the grader allows 3072 MB of memory per exercise)")),
    "file_size": Case(0, ("File too large",)),
    "print_flood": Case(15),
    "exits": Case(0, ("raised SystemExit: 0", "raised KeyboardInterrupt",
                      "calling fit_line() raised ProcessExit: your code ended the process (exit code 0)")),
    "import_system_exit": Case(0, ("importing ex02_five_line_loop.py raised SystemExit: bye from import",)),
    "import_keyboard_interrupt": Case(0, ("importing ex02_five_line_loop.py raised KeyboardInterrupt",)),
    "segfault": Case(8, ("calling fit() raised Crash: the Python process crashed with a segmentation fault",)),
    "patch_torch": Case(0, ("your code replaced torch.Tensor.backward",)),
    "patch_harness": Case(0, ("your code replaced grader.harness.",)),
    "forge_events": Case(2, ("optimizer.step() ran 0 times in one train_step()",)),
    "forge_frame": Case(2, ("the recorded calls say optimizer.step() ran, but the weights",
                            "the grader could not read the weights after train_step()")),
    "forge_files": Case(0, ("your code wrote bytes that are not a grader frame into the grader's result pipe",)),
    "read_outside": Case(0, ("train_step() returned",)),
    "lying_values": Case(0, ("train_step() returned a AlwaysEqual, expected a Python float",
                             "fit() returned losses of type AlwaysEqual",
                             "fit_line() should return (model, losses) with model = nn.Linear(1, 1)")),
    "hardcoded": Case(0, ("fit_line() took 0 optimizer steps on the model it returned",)),
    "symlink_to_solution": Case(0, ("ex02_five_line_loop.py is a symbolic link",)),
    # also graded by grade-all in tests/test_batch.py, where there is a worker to attack
    "kill_worker": Case(0, ("RuntimeError: no grader.grading.worker process above me",)),
    "forge_results": Case(0, ("calling train_step() raised NotImplementedError",)),
    "disk_filler": Case(0, ("calling train_step() raised FileSizeLimitExceeded: your code wrote more than",),
                        {"scratch_mb": 96}),
    "write_environment": Case(15),
    "fifo_output": Case(15),
    "shared_memory": Case(15),
    "look_around": Case(0, ("train_step() returned a loss that is not the loss of the model it was handed",)),
    "snoop": Case(0, ("train_step() returned a loss that is not the loss of the model it was handed",)),
}


def corpus_names() -> list[str]:
    return sorted(p.stem if p.is_file() else p.name for p in CORPUS.iterdir()
                  if p.suffix == ".py" or (p.is_dir() and not p.name.startswith(("_", "."))))


def submission_for(name: str, tmp_path: Path) -> Path:
    """A folder case as it is; a file case copied in as the exercise 2 module."""
    if (CORPUS / name).is_dir():
        return CORPUS / name
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(CORPUS / f"{name}.py", folder / "ex02_five_line_loop.py")
    return folder


def grade(name: str, tmp_path: Path, sandbox: str = "auto") -> SubmissionResult:
    """Grade a hostile case the way an instructor does by default (isolated), on a fixed seed."""
    limits = {**LIMITS, **CASES[name].limits}
    options = GradeOptions(exercises=("ex02",), limits=limits, threads=1, sandbox=sandbox, seed=7)
    return grade_submission(submission_for(name, tmp_path), options)


# Processes started by this test session inherit this mark; another session's (a second
# checkout's test run on the same machine) carry their own and are not this session's survivors.
SESSION_MARK = f"HOSTILE_TEST_SESSION={os.getpid()}-{time.time_ns()}"
os.environ["HOSTILE_TEST_SESSION"] = SESSION_MARK.split("=", 1)[1]


def survivors(timeout_s: float = 3.0) -> list[str]:
    """Processes the corpus marks (sleep 1000.0417, DataLoader workers) that are still alive."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                status = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
                environ = (entry / "environ").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            alive = status.rsplit(")", 1)[-1].split()[0] != "Z"
            foreign = any(item.startswith(b"HOSTILE_TEST_SESSION=") for item in environ) and (
                SESSION_MARK.encode() not in environ)
            if alive and not foreign and (b"1000.0417" in cmdline or "(hostile-dlwork)" in status):
                found.append(f"{entry.name}: {cmdline.decode(errors='replace')}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_every_case_in_the_corpus_has_an_expectation():
    assert corpus_names() == sorted(CASES), "tests/hostile/ and CASES must list the same cases"


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_gets_no_points_for_what_it_fakes(name, tmp_path):
    case = CASES[name]
    result = grade(name, tmp_path)
    feedback = "\n".join(check.message for check in result.checks)
    assert not result.error, result.error
    assert (result.score, result.max_score) == (case.score, 15), f"{name}: {result.score}/15\n{feedback}"
    for phrase in case.messages:
        assert phrase in feedback, f"{name}: {phrase!r} not in the feedback:\n{feedback}"
    limit = {**LIMITS, **case.limits}["wall_s"]
    assert result.wall_s < limit + SLACK_S, f"{name} took {result.wall_s} s"
    assert not survivors(), f"{name} left processes running: {survivors()}"


def test_output_flood_keeps_only_the_tail(tmp_path):
    learner_file = submission_for("print_flood", tmp_path) / "ex02_five_line_loop.py"
    outcome = run_child(ChildRequest("ex02", learner_file, inputs=INPUTS), Limits(**LIMITS, output_kb=16))
    assert outcome.status == "ok", outcome.message
    assert 0 < len(outcome.output_tail) <= 16 * 1024


def test_learner_code_cannot_import_the_real_grader(tmp_path):
    """read_outside adds 4 when ``import grader.hidden.test_ex02_five_line_loop`` works in the child."""
    learner_file = submission_for("read_outside", tmp_path) / "ex02_five_line_loop.py"
    outcome = run_child(ChildRequest("ex02", learner_file, inputs=INPUTS), Limits(**LIMITS))
    assert outcome.observations["train_step"]["loss"] in (0.0, 1.0, 2.0, 3.0)


def test_result_file_not_written_by_the_supervisor_is_refused(tmp_path):
    (tmp_path / RESULT_FILE).write_text('{"body": "{\\"frame\\": {\\"stage\\": \\"done\\"}}", "mac": "00"}')
    outcome = read_outcome(tmp_path, b"k" * 32, 0, False, Limits(), "ex02_five_line_loop.py")
    assert (outcome.status, outcome.observations) == ("forged", {})
    assert "no points" in outcome.message


def test_tensor_file_swapped_after_the_supervisor_wrote_it_is_refused(tmp_path):
    key, body = b"k" * 32, json.dumps({"frame": {"stage": "done", "status": "ok", "observations": {}},
                                      "exit": {}, "tensors_sha256": "0" * 64})
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    (tmp_path / RESULT_FILE).write_text(json.dumps({"body": body, "mac": mac}))
    (tmp_path / TENSOR_FILE).write_bytes(b"not the tensors the supervisor wrote")
    assert read_outcome(tmp_path, key, 0, False, Limits(), "ex02_five_line_loop.py").status == "forged"


@needs_bwrap
def test_sandbox_hides_the_solutions_and_the_hidden_suites(tmp_path):
    learner_file = submission_for("read_outside", tmp_path) / "ex02_five_line_loop.py"
    request = ChildRequest("ex02", learner_file, inputs=INPUTS, sandbox="bwrap")
    outcome = run_child(request, Limits(**LIMITS))
    assert outcome.status == "ok", outcome.message + outcome.output_tail
    assert outcome.observations["train_step"]["loss"] == 0.0, "the sandboxed child read the checkout"


@needs_bwrap
def test_sandbox_keeps_forged_files_out_of_the_submission_folder(tmp_path):
    result = grade("forge_files", tmp_path, sandbox="bwrap")
    assert result.score == 0
    assert sorted(p.name for p in (tmp_path / "forge_files").iterdir()) == ["ex02_five_line_loop.py"]


@needs_bwrap
@pytest.mark.parametrize("name", ["leftover_processes", "dataloader_deadlock", "segfault"])
def test_sandboxed_hostile_case_scores_as_without_sandbox(name, tmp_path):
    result = grade(name, tmp_path, sandbox="bwrap")
    assert result.score == CASES[name].score, "\n".join(c.message for c in result.checks)
    assert not survivors(), f"{name} left processes running: {survivors()}"


def test_nothing_a_child_writes_outside_its_scratch_survives(tmp_path):
    """write_environment and shared_memory try to leave files for later gradings and memory behind."""
    for name in ("write_environment", "shared_memory"):
        assert grade(name, tmp_path).score == 15
    import site
    import sys

    mark = "looplab_hostile_left_this"
    places = [*site.getsitepackages(), sys.prefix, sys.base_prefix, *[p for p in sys.path if p]]
    left = [str(Path(p) / f"{mark}{suffix}") for p in places for suffix in (".pth", ".py")
            if (Path(p) / f"{mark}{suffix}").exists()]
    assert not left, f"a child wrote into the Python environment: {left}"
    for path in ("/dev/shm/looplab-hostile-shm", "/tmp/looplab-hostile-tmp"):
        assert not Path(path).exists(), f"{path} outlived the child that wrote it"


def test_a_fifo_in_place_of_the_output_file_does_not_hang_the_grader(tmp_path):
    result = grade("fifo_output", tmp_path)
    assert result.score == 15, "\n".join(c.message for c in result.checks)


@needs_bwrap
def test_the_sandbox_shows_no_other_files_folders_or_sockets(tmp_path):
    import socket

    learner_file = submission_for("look_around", tmp_path) / "ex02_five_line_loop.py"
    socket_path = Path("/tmp/looplab-hostile.sock")
    socket_path.unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(socket_path))
        server.listen(1)
        try:
            outcome = run_child(ChildRequest("ex02", learner_file, inputs=INPUTS, sandbox="bwrap"), Limits(**LIMITS))
        finally:
            socket_path.unlink(missing_ok=True)
    assert outcome.status == "ok", outcome.message + outcome.output_tail
    assert outcome.observations["train_step"]["loss"] == 0.0, outcome.output_tail


def test_links_and_hard_links_to_other_files_are_refused(tmp_path):
    solutions = Path(__file__).resolve().parent.parent / "solutions"
    linked_folder = tmp_path / "linked"
    linked_folder.symlink_to(solutions)
    assert "symbolic link" in grade_submission(linked_folder, GradeOptions(exercises=("ex02",))).error
    copy = tmp_path / "original.py"
    shutil.copy(solutions / "ex02_five_line_loop.py", copy)
    learner = tmp_path / "hardlinked"
    learner.mkdir()
    os.link(copy, learner / "ex02_five_line_loop.py")
    result = grade_submission(learner, GradeOptions(exercises=("ex02",), threads=1))
    assert result.score == 0
    assert all("hard link" in check.message for check in result.checks), [c.message for c in result.checks]
