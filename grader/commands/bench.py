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
   (`LOOPLAB_ZYGOTE=0`: a fresh interpreter and `import torch` per exercise). The worker is a
   fresh process here, as `looplab grade` is; grade-all forks its workers from a warm server.
   The same for a learner-style submission: for each exercise, a correct case of the catalog
   (`tests/catalog/correct/`, loops adapted from public code) instead of the reference solution.
3. `grade_all` over N learner-style submissions (learner i hands in each exercise's i-th correct
   catalog case; every exercise, ex08 included), 1 worker against 2 workers, and isolated
   against `--sandbox none`; `--force` so every submission is graded; workers forked from the
   warm worker server (`grader/grading/worker_server.py`). The class projection is 300 x (the
   2-worker batch's time / N), against a 40-minute budget.
4. One epoch of Linear(784, 10), batch 64, on 60,000 random in-memory samples, with and without
   `LoopSpy` (best of 3 each): the spy's hooks on a step that costs about 0.3 ms, the worst case
   for its relative cost.

Where the floors are (why a target can stay unmet on 2 cores):

- MNIST: a step costs about 0.3 ms (forward, cross-entropy, autograd, SGD) for 4,690 steps;
  the DataLoader adds its sampler and the collation of 64 items a batch on top of the floor.
  torchvision's cost is PIL decoding and collation per sample, which varies with the machine's
  load far more than the tensor paths do.
- Grading one submission (latency): on 2 cores a grading keeps one core for itself and runs its
  children in one lane, one after another in the zygote (a second lane's `import torch`, about
  2 s of CPU, cost more than it gained there; from 3 cores up there are two). So the floor is the
  zygote's start (`import torch` and `torch._dynamo`, what the bare run pays too) plus every
  child in turn: the learner's code as in the bare run, plus what the bare run does not do: the
  device checks' second run on the meta device (ex04-ex08), each child's fork, sandbox and
  result (about 0.05-0.1 s), and the judging of the last exercise. The children start as each
  suite is collected (the MNIST suite first) and the grading process judges on one torch thread
  (with torch's default threads its small operations spun against the children: 4.7 s of CPU for
  the collection instead of 2.3 s).
  What would meet it: the meta-device runs in the same child as the CPU run (five fewer
  children, but then one learner process sees both scenarios).
- Workers: a worker keeps about one core busy (its zygote and children, with its own judging
  beside them), so a second worker fills the other; what is left is each learner's zygote start
  (`import torch` and `torch._dynamo`, about 3 s of CPU: every learner gets a fresh sandbox and a
  fresh fork server, never shared between learners). What would meet it: one sandboxed fork
  server per worker slot for the whole batch, which would need a proof that a child cannot
  reach the fork server that the next learner's children come from.
- Spy: its global module hooks put every module call on `Module.__call__`'s slow path, plus one
  `count_nonzero` per step (telling zeroed gradients from real ones), on a step of about 0.3 ms.
  What would meet it: hooks on the watched modules only (the losses a learner builds inside the
  loop would then need another way in).
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
