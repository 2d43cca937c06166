"""looplab bench --quick runs every measurement once and prints all four rows with ratios."""
from __future__ import annotations

import re
import subprocess
import sys

from grader.bench import Row, render
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
    for name in ("MNIST", "grade solutions/", "grade_all", "1 epoch Linear(784,10)"):
        assert re.search(rf"^\| {re.escape(name)}.*\| \d+\.\d\dx \|", done.stdout, re.M), name
    assert re.search(r"^\| grade_all.*\| isolated \((bwrap|uid)\), 1 worker \|.*\| \d+\.\d\dx \|", done.stdout, re.M)
    assert "nproc" in out.read_text()


def test_cuda_rows_are_skipped_cleanly_without_a_gpu(monkeypatch):
    import torch

    from grader import bench

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(bench, "mnist_rows", lambda options, device: [])
    monkeypatch.setattr(bench, "grading_rows", lambda options, device, scratch: [])
    monkeypatch.setattr(bench, "batch_rows", lambda options, device, scratch: [])
    monkeypatch.setattr(bench, "spy_rows", lambda options, device: [])
    rows = bench.run_all(bench.BenchOptions(quick=True, device="cuda"))
    assert [row.name for row in rows] == ["CUDA rows"] and "skipped" in rows[0].note
