"""A learner's exercise modules are found wherever they sit in the learner's folder, never among
the kit's own files or behind a link; two files for one exercise are reported, not guessed
between; nested modules are graded through the same isolated path as flat ones; the content
hash follows content, not inodes or modification times."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.grading.grade import GradeOptions, grade_submission
from grader.grading.submission_files import content_hash, find_exercise_modules

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
EX02, EX03 = "ex02_five_line_loop.py", "ex03_minibatches.py"


def place(folder: Path, relative: str, source: str = EX02) -> Path:
    """Copy a reference solution to ``folder/relative``."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOLUTIONS / source, path)
    return path


def test_modules_are_found_at_any_depth(tmp_path):
    place(tmp_path, f"exercises/{EX02}")
    place(tmp_path, f"hw/sub/{EX03}", EX03)
    modules = find_exercise_modules(tmp_path)
    assert {key: modules.relative(path) for key, path in modules.found.items()} == {
        "ex02": f"exercises/{EX02}", "ex03": f"hw/sub/{EX03}"}
    assert not modules.ambiguous


def test_the_kits_own_files_and_hidden_or_cache_folders_are_ignored(tmp_path):
    place(tmp_path, EX02)
    for other in (f"test_{EX02}", "conftest.py", "_reference.py", f"__pycache__/{EX02}",
                  f".ipynb_checkpoints/{EX02}", f".git/{EX02}", "ex02_five_line_loop.hint.md"):
        place(tmp_path, other)
    modules = find_exercise_modules(tmp_path)
    assert modules.found == {"ex02": tmp_path / EX02} and not modules.ambiguous


def test_two_files_for_one_exercise_are_ambiguous_and_both_are_named(tmp_path):
    place(tmp_path, EX02)
    place(tmp_path, f"old/{EX02}")
    place(tmp_path, f"exercises/{EX03}", EX03)
    modules = find_exercise_modules(tmp_path)
    assert list(modules.found) == ["ex03"]
    sentence = modules.ambiguity("ex02")
    assert EX02 in sentence and f"old/{EX02}" in sentence and "keep one" in sentence


def test_a_folder_link_is_not_entered_and_is_named_when_nothing_is_found(tmp_path):
    (tmp_path / "learner").mkdir()
    (tmp_path / "learner" / "exercises").symlink_to(SOLUTIONS)
    modules = find_exercise_modules(tmp_path / "learner")
    assert not modules.found and modules.missing_all(["ex02"])
    assert "no exercise modules found" in modules.nothing_found() and "exercises" in modules.nothing_found()


def test_nested_modules_are_graded_each_through_the_isolated_child(tmp_path):
    """ex02 nested two levels down earns full marks; ex03 in two places is named, not graded."""
    learner = tmp_path / "alice"
    place(learner, f"exercises/{EX02}")
    place(learner, f"exercises/{EX03}", EX03)
    place(learner, f"backup/{EX03}", EX03)
    result = grade_submission(learner, GradeOptions(exercises=("ex02", "ex03"), threads=1))
    ex02 = [c for c in result.checks if c.exercise == "ex02"]
    ex03 = [c for c in result.checks if c.exercise == "ex03"]
    assert ex02 and all(c.status == "passed" for c in ex02), [c.message for c in ex02]
    assert ex03 and all(c.points == 0 and f"backup/{EX03}" in c.message for c in ex03)
    assert [c.exercise for c in result.checks] == ["ex02"] * len(ex02) + ["ex03"] * len(ex03)
    assert result.files == {"ex02": f"exercises/{EX02}"}
    assert f"exercises/{EX03}" in result.error and f"backup/{EX03}" in result.error


def test_a_nested_module_sees_none_of_the_learners_other_files(tmp_path):
    """The snooping case reads every file it can reach for a SECRET- marker."""
    learner = tmp_path / "bob"
    module = learner / "hw" / EX02
    module.parent.mkdir(parents=True)
    shutil.copy(REPO / "tests" / "hostile" / "snoop.py", module)
    (learner / "hw" / "notes.txt").write_text("SECRET-bob's notes")
    (learner / "SECRET.txt").write_text("SECRET-bob's answers")
    result = grade_submission(learner, GradeOptions(exercises=("ex02",), threads=1, seed=7))
    messages = " ".join(c.message for c in result.checks)
    assert result.files == {"ex02": f"hw/{EX02}"}
    assert "is not the loss of the model it was handed" in messages, messages  # it ran, and found nothing
    assert "snooped" not in messages, messages


def test_a_nested_hard_link_is_refused_like_a_flat_one(tmp_path):
    learner = tmp_path / "carol"
    (learner / "exercises").mkdir(parents=True)
    os.link(place(tmp_path, "elsewhere.py"), learner / "exercises" / EX02)
    result = grade_submission(learner, GradeOptions(exercises=("ex02",), threads=1))
    assert result.score == 0 and all("hard link" in c.message for c in result.checks)


def test_the_content_hash_follows_content_not_inode_or_time(tmp_path):
    module = place(tmp_path, f"exercises/{EX02}")
    before = content_hash(tmp_path, ["ex02"])
    os.utime(module, (1, 1))
    shutil.copy(module, tmp_path / "copy.py")
    os.replace(tmp_path / "copy.py", module)  # a new inode, the same bytes
    assert content_hash(tmp_path, ["ex02"]) == before
    module.write_text(module.read_text() + "\n# changed\n")
    assert content_hash(tmp_path, ["ex02"]) != before
    assert content_hash(tmp_path, ["ex03"]) != content_hash(tmp_path, ["ex02"])


def test_the_content_hash_never_blocks_on_a_fifo_or_follows_a_link(tmp_path):
    os.mkfifo(tmp_path / EX02)
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / EX03).symlink_to("/dev/zero")
    assert len(content_hash(tmp_path, ["ex02", "ex03"])) == 64
