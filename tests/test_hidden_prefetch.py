"""The hidden suites start each exercise's children ahead of time, once, in background lanes: the
MNIST suite first, each module's children as soon as that module is collected, the device
checks' meta children with the rest; the grading process judges on one torch thread."""
import threading

import torch

import grader.hidden.conftest as hidden_conftest
from grader.grading.grade import GradeOptions, grade_submission
from grader.grading.hidden_session import HiddenSession
from grader.grading.hidden_suite import _longest_first, run_hidden_suites
from grader.paths import SOLUTIONS_DIR


def _recording(monkeypatch, record):
    real_run_child = hidden_conftest.run_child

    def recording_run_child(request, limits):
        record.append((request.exercise, request.device, threading.current_thread().name, request.threads))
        return real_run_child(request, limits)

    monkeypatch.setattr(hidden_conftest, "run_child", recording_run_child)


def test_each_child_runs_once_ahead_of_its_checks_meta_children_included(monkeypatch):
    runs = []
    _recording(monkeypatch, runs)
    checks = run_hidden_suites(HiddenSession(SOLUTIONS_DIR, threads=1), ["ex02", "ex06"])
    assert checks and all(c.status in ("passed", "skipped") for c in checks), [c.message for c in checks]
    ahead = [(key, device) for key, device, name, _ in runs if name.startswith("looplab-children")]
    assert ahead == [("ex02", "cpu"), ("ex06", "cpu"), ("ex06", "meta")]
    assert [run for run in runs if not run[2].startswith("looplab-children")] == []


def test_a_module_s_child_is_planned_before_the_next_module_is_imported(monkeypatch):
    from grader.hidden import draw

    events = []
    real_plan, real_inputs_for = hidden_conftest._plan, draw.inputs_for

    def recording_plan(module):
        events.append(("planned", getattr(module, "EXERCISE", "?")))
        return real_plan(module)

    def recording_inputs_for(exercise, how):
        events.append(("imported", exercise))
        return real_inputs_for(exercise, how)

    monkeypatch.setattr(hidden_conftest, "_plan", recording_plan)
    monkeypatch.setattr(draw, "inputs_for", recording_inputs_for)
    run_hidden_suites(HiddenSession(SOLUTIONS_DIR, threads=1), ["ex01", "ex02"])
    assert events == [("imported", "ex01"), ("planned", "ex01"), ("imported", "ex02"), ("planned", "ex02")]


def test_mnist_suites_are_collected_first_and_checks_still_come_in_curriculum_order():
    assert _longest_first(["ex01", "ex07", "ex08", "ex10"]) == ["ex08", "ex01", "ex07", "ex10"]
    result = grade_submission(SOLUTIONS_DIR, GradeOptions(exercises=("ex03", "ex02"), sandbox="none", seed=1))
    assert [c.exercise for c in result.checks] == sorted((c.exercise for c in result.checks),
                                                         key=("ex03", "ex02").index)


def test_children_share_the_cores_with_the_grading_process(monkeypatch):
    runs = []
    _recording(monkeypatch, runs)
    run_hidden_suites(HiddenSession(SOLUTIONS_DIR, threads=4, lanes=1), ["ex02"])
    assert {threads for *_, threads in runs} == {2}  # 4 cores: the grading process and one lane


def test_the_grading_process_judges_on_one_torch_thread(monkeypatch):
    import grader.grading.grade as grade_module

    seen = []
    real = grade_module.run_hidden_suites

    def recording(session, keys, curves=None):
        seen.append(torch.get_num_threads())
        return real(session, keys, curves=curves)

    monkeypatch.setattr(grade_module, "run_hidden_suites", recording)
    torch.set_num_threads(2)
    try:
        grade_submission(SOLUTIONS_DIR, GradeOptions(exercises=("ex02",), sandbox="none", seed=1))
        assert seen == [1] and torch.get_num_threads() == 2  # and put back afterwards
    finally:
        torch.set_num_threads(1)
