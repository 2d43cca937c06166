"""Hints follow the failure: each visible test names a section, `looplab hint` goes one level deeper."""
from __future__ import annotations

import ast
import fnmatch
from pathlib import Path
from types import SimpleNamespace

import _record  # exercises/ is on sys.path (tests/conftest.py)
import pytest
from _hints import HintSection, hint_file, read_sections, section_for, function_of_test
from _progress import Progress
from learner_support import copy_exercises

from grader.cli import main
from grader.paths import EXERCISES_DIR

TEST_FILES = sorted(EXERCISES_DIR.glob("test_ex[0-9][0-9]_*.py"))


def visible_tests(test_file: Path) -> list[str]:
    tree = ast.parse(test_file.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def sections_of(test_file: Path) -> list[HintSection]:
    return read_sections(hint_file(EXERCISES_DIR, test_file.stem.removeprefix("test_")))


@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda path: path.stem)
def test_every_visible_test_is_named_by_a_hint_section(test_file):
    sections, tests = sections_of(test_file), visible_tests(test_file)
    for test in tests:
        assert any((test in s.tests and not s.when) or any("*" in p and fnmatch.fnmatchcase(test, p) for p in s.tests)
                   for s in sections), (
            f"{test} is named by no section of {test_file.stem.removeprefix('test_')}.hint.md")
    stale = {name for s in sections for name in s.tests if "*" not in name} - set(tests)
    assert not stale, f"hint sections name tests that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda path: path.stem)
def test_hints_go_from_a_nudge_to_the_answer(test_file):
    for section in sections_of(test_file):
        assert len(section.levels) >= 2, f"{section.title}: {len(section.levels)} level(s), expected a nudge and more"
        assert "`" in section.levels[-1], f"{section.title}: the last level should give the answer as code"
        assert len(set(section.levels)) == len(section.levels), f"{section.title}: a level is repeated"


def test_a_test_gets_its_named_section_for_its_message_then_a_matching_pattern_then_the_first(tmp_path):
    path = tmp_path / "ex03_minibatches.hint.md"
    path.write_text("# Hints\n\n## General\nTests: test_other\n\n1. a\n2. b\n\n"
                    "## Loader\nTests: test_make_loader_*\n\n1. c\n   continued\n2. d\n\n"
                    "## Short batch\nTests: test_make_loader_short\n\n1. e\n2. f\n\n"
                    "## Floats\nTests: test_make_loader_short\nWhen: Python floats\n\n1. g\n2. h\n")
    sections = read_sections(path)
    assert sections[1].levels == ("c continued", "d")
    assert section_for(sections, "test_make_loader_short").title == "Short batch"
    assert section_for(sections, "test_make_loader_short", "should return Python floats").title == "Floats"
    assert section_for(sections, "test_make_loader_seed[3]").title == "Loader"
    assert section_for(sections, "test_train_epochs").title == "General"
    assert function_of_test("test_learns[fit_numpy]") == "test_learns"


def _report(test: str, outcome: str, message: str = "") -> SimpleNamespace:
    return SimpleNamespace(nodeid=f"exercises/test_ex03_minibatches.py::{test}", when="call", longrepr=message,
                           skipped=outcome == "skipped", failed=outcome == "failed", passed=outcome == "passed")


def test_the_summary_shows_the_hint_of_the_first_failing_test(tmp_path):
    folder = copy_exercises(tmp_path)
    progress = Progress(folder)
    progress.record("ex03", _report("test_make_loader_has_ceil_n_over_b_batches_and_a_short_last_one", "passed"))
    progress.record("ex03", _report("test_train_epochs_averages_the_loss_by_sample_count", "failed", "epoch loss"))
    progress.record("ex03", _report("test_train_epochs_takes_one_step_per_batch", "failed", "steps"))
    lines = progress.summary_lines(folder)
    assert "Next: ex03, Minibatches and DataLoader -> exercises/ex03_minibatches.py" in lines
    assert "Hint 1 of 3: An epoch's loss is the mean over its samples, not the mean of its batch losses." in lines
    tensors = Progress(folder)
    tensors.record("ex03", _report("test_train_epochs_averages_the_loss_by_sample_count", "failed",
                                   "train_epochs should return Python floats: loss.item()"))
    assert "Hint 1 of 3: The losses you return should be plain Python numbers, not tensors." in tensors.summary_lines(folder)


def _record_failure(folder: Path, key: str, test: str) -> None:
    run = _record.ExerciseRun(failed=1, selected=1, reported=[test], first_failure={"test": test, "message": "m"})
    _record.RunRecord(folder).update({key: run})


def test_looplab_hint_goes_one_level_deeper_each_time_and_stops_at_the_answer(tmp_path, capsys):
    folder = copy_exercises(tmp_path)
    _record_failure(folder, "ex03", "test_train_epochs_averages_the_loss_by_sample_count")
    outputs = []
    for _ in range(3):
        assert main(["hint", "ex03", "--folder", str(folder)]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0].startswith("ex03 hint 2 of 3: The epoch loss, averaged by sample count")  # runs showed 1
    assert "A batch's mean loss times its size" in outputs[0]
    assert outputs[1].startswith("ex03 hint 3 of 3") and "it gives the answer" in outputs[1]
    assert outputs[2] == outputs[1]
    assert (folder / ".looplab" / "hints.json").exists()


def test_looplab_hint_follows_a_new_failure_and_defaults_to_the_first_exercise_not_done(tmp_path, capsys):
    folder = copy_exercises(tmp_path)
    _record_failure(folder, "ex03", "test_train_epochs_averages_the_loss_by_sample_count")
    main(["hint", "ex03", "--folder", str(folder)])
    _record_failure(folder, "ex03", "test_make_loader_shuffles_anew_each_epoch_and_repeats_with_the_same_seed")
    capsys.readouterr()
    main(["hint", "ex03", "--folder", str(folder)])
    assert capsys.readouterr().out.startswith("ex03 hint 2 of 3: A shuffled order that repeats with the seed")
    main(["hint", "--folder", str(folder)])
    assert capsys.readouterr().out.startswith("ex01 hint 1 of 3: What the functions return")  # never run


def test_looplab_hint_names_the_exercises_when_given_an_unknown_one(tmp_path, capsys):
    folder = copy_exercises(tmp_path)
    assert main(["hint", "ex99", "--folder", str(folder)]) == 2
    assert "no exercise 'ex99'" in capsys.readouterr().err


def test_looplab_progress_shows_the_table_of_the_last_runs(tmp_path, capsys):
    folder = copy_exercises(tmp_path)
    done = _record.ExerciseRun(passed=9, selected=9, reported=[f"test_{i}" for i in range(9)],
                               fingerprint=_record.fingerprint(folder / "ex01_loop_by_hand.py"))
    _record.RunRecord(folder).update({"ex01": done})
    _record_failure(folder, "ex02", "test_train_step_call_order")
    edited = folder / "ex02_five_line_loop.py"
    edited.write_text(edited.read_text() + "# edited after the run\n")
    assert main(["progress", "--folder", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["ex01", "The", "loop", "by", "hand", "(Python", "and", "NumPy)", "9/9", "passed", "done"]
    assert out[2].endswith("0/1  passed  changed since its last run")
    assert out[3].endswith("not run yet")
    assert "Progress: [#---------] 1/10 exercises done" in out
    assert "Next: ex02, The five-line loop -> exercises/ex02_five_line_loop.py" in out


def test_a_read_only_exercises_folder_keeps_no_record_but_still_summarises(tmp_path):
    folder = copy_exercises(tmp_path)
    (folder / ".looplab").write_text("a file where the record's folder would go")
    progress = Progress(folder)
    progress.record("ex03", _report("test_train_epochs_averages_the_loss_by_sample_count", "failed", "epoch loss"))
    progress.save(folder)
    assert _record.RunRecord(folder).load() == {}
    assert "Next: ex03, Minibatches and DataLoader -> exercises/ex03_minibatches.py" in progress.summary_lines(folder)
