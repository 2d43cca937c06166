"""looplab bench --quick runs every measurement once and prints all four rows with ratios."""
from __future__ import annotations

import re
import subprocess
import sys

from grader.authoring.bench import Row, render
from grader.paths import REPO_ROOT


def test_render_shows_ratio_and_whether_the_target_is_met():
    rows = [Row("spy", "spy on", 1.2, "spy off", 1.0, "<= 1.3x", lambda r: r <= 1.3)]
    table = render(rows)
    assert "| 1.20x |" in table and "| yes |" in table
    assert "| n/a |" in render(rows, judged=False)


def test_quick_bench_prints_all_four_rows(tmp_path):
    out = tmp_path / "performance.md"
    done = subprocess.run([sys.executable, "-m", "grader", "bench", "--quick", "--write", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("MNIST", "grade solutions/", "grade a learner-style submission", "grade_all",
                 "a class of 300 learner-style submissions", "1 epoch Linear(784,10)"):
        assert re.search(rf"^\| {re.escape(name)}.*\| \d+\.\d\dx \|", done.stdout, re.M), name
    assert re.search(r"^\| grade_all.*\| isolated \((bwrap|uid)\), 1 worker \|.*\| \d+\.\d\dx \|", done.stdout, re.M)
    assert "nproc" in out.read_text()


def test_cuda_rows_are_skipped_cleanly_without_a_gpu(monkeypatch):
    import torch

    from grader.authoring import bench

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(bench, "mnist_rows", lambda options, device: [])
    monkeypatch.setattr(bench, "grading_rows", lambda options, device, scratch: [])
    monkeypatch.setattr(bench, "batch_rows", lambda options, device, scratch: [])
    monkeypatch.setattr(bench, "spy_rows", lambda options, device: [])
    rows = bench.run_all(bench.BenchOptions(quick=True, device="cuda"))
    assert [row.name for row in rows] == ["CUDA rows"] and "skipped" in rows[0].note


def test_learner_style_submissions_are_correct_catalog_cases_and_differ(tmp_path):
    from grader.authoring.learner_style import correct_cases, write_learner_submissions
    from grader.curriculum import CURRICULUM

    keys = [item.key for item in CURRICULUM]
    folders = write_learner_submissions(tmp_path, 3, keys)
    for folder in folders:
        assert sorted(path.name for path in folder.iterdir()) == sorted(item.filename for item in CURRICULUM)
    solution = (REPO_ROOT / "solutions" / "ex03_minibatches.py").read_text()
    ex03 = [(folder / "ex03_minibatches.py").read_text() for folder in folders]
    assert len(set(ex03)) == 3 and solution not in ex03
    assert len(correct_cases(["ex03"])["ex03"]) >= 3


def test_the_class_projection_is_300_times_the_two_workers_pace():
    from grader.authoring.bench_grading import _class_projection

    row = _class_projection(per_submission_s=8.0, measured=8)
    assert row.candidate_s == 300 * 8.0 and row.met == "yes"  # 40 min: just in budget
    assert _class_projection(per_submission_s=8.5, measured=8).met == "NO"
