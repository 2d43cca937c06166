"""looplab bench [--quick] [--device cuda] [--write docs/performance.md]: the kit's speed figures."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.commands import positive_int, writable_file

HELP = "measure the kit's speed (MNIST loop, grading, grade-all, the spy) and print a table"
DESCRIPTION = """\
Measure, in one run, what grading costs on this machine: the reference MNIST loop on looplab's
dataset against torchvision's and a whole-tensor floor, grading a full submission against
running the same code bare, grade-all with 1 and 2 workers (isolated and not), and the loop
spy's overhead. A full run takes several minutes; --quick is a smoke test."""
EXAMPLES = """\
examples:
  looplab bench --quick
  looplab bench --write docs/performance.md
  looplab bench --device cuda --learners 8"""

_METHOD = """
How each row is measured (one `looplab bench` run):

1. MNIST: `solutions/ex08_mnist.train_mnist` (the shuffling `DataLoader` loop a learner
   writes; Linear(784, 10), SGD 0.1, batch 64) on looplab's `InMemoryMNIST` (batched fetch,
   `__getitems__`) against the same loop on `torchvision.datasets.MNIST(transform=ToTensor())`,
   and against a whole-tensor loop without a DataLoader (the floor). Unless `--full-canonical`,
   the torchvision run is timed for 1 epoch and its time x5 is reported, labelled "(estimate)".
   Accuracy is on the 10,000 test digits.
2. Grading: `python -m grader.grading.worker solutions/ ...` (hidden suites, one child per exercise,
   parent judging) against a bare run: one fresh process that runs each exercise's probe
   in-process on the solution with the hidden suite's `INPUTS` (spy included, no child, no
   pytest, no judging). Measured with the zygote (fork server, default on CPU) and without it
   (`LOOPLAB_ZYGOTE=0`: a fresh interpreter and `import torch` per exercise).
   The same for a learner-style submission: for each exercise, a correct case of the catalog
   (`tests/catalog/correct/`, loops adapted from public code) instead of the reference solution.
3. `grade_all` over N learner-style submissions (learner i hands in each exercise's i-th correct
   catalog case; ex08 left out to keep the run short), 1 worker against 2 workers, and isolated
   against `--sandbox none`; `--force` so every submission is graded. The class projection is
   300 x (the learner-style submission's full grading time, every exercise, ex08 included) /
   (the 2-worker speed-up), against a 40-minute budget.
4. One epoch of Linear(784, 10), batch 64, on 60,000 random in-memory samples, with and without
   `LoopSpy` (best of 3 each): the spy's hooks on a step that costs about 0.3 ms, the worst case
   for its relative cost.

Where the floors are (why a target can stay unmet on 2 cores):

- MNIST: a step costs about 0.3 ms (forward, cross-entropy, autograd, SGD) for 4,690 steps;
  the DataLoader adds its sampler and the collation of 64 items a batch on top of the floor.
  torchvision's cost is PIL decoding and collation per sample, which varies with the machine's
  load far more than the tensor paths do.
- Grading: the grading process must import torch and pytest and build torch.optim optimizers
  for its own replays (the first optimizer of a process imports torch._dynamo, about 2 s); the
  fork server pays the same once. A worker starts the fork server first thing and runs the
  children ahead of the judging, so both cores work; what remains is that fixed start-up.
- Workers: because one worker already keeps both cores busy (fork server and children on one,
  judging on the other), a second worker has less idle time to fill.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (a smoke test; the figures do not meet the targets' sizes)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="cuda: also measure every row on the GPU (skipped if none)")
    parser.add_argument("--learners", type=positive_int, default=8, metavar="N",
                        help="learner-style submissions graded in the grade-all rows (default 8)")
    parser.add_argument("--full-canonical", action="store_true",
                        help="time all 5 canonical MNIST epochs instead of 1 epoch x5")
    parser.add_argument("--write", type=Path, metavar="FILE",
                        help="also write the table, the machine and the method to FILE (Markdown)")


def run(args: argparse.Namespace) -> int:
    from grader.authoring.bench import BenchOptions, machine, render, run_all

    if args.write:
        writable_file(args.write, "--write")
    options = BenchOptions(quick=args.quick, device=args.device, learners=args.learners,
                           full_canonical=args.full_canonical)
    rows = run_all(options, progress=lambda text: print(text, file=sys.stderr, flush=True))
    table = render(rows, judged=not args.quick)
    print(table)
    if args.write:
        mode = " (--quick: tiny sizes, not comparable with the targets)" if args.quick else ""
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(f"# Performance\n\nMeasured by `looplab bench --write {args.write}`"
                              f"{mode}.\n\n{machine()}\n\n{table}\n{_METHOD}")
        print(f"wrote {args.write}")
    return 0
