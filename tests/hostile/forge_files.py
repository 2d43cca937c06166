"""Tries to forge the grader's files. At import it writes a fake observations.json and
tensors.pt into the out folder (named by the request in sys.argv if that is still there, else
guessed next to its working folder), and a fake gradebook and result file next to itself and
next to the original submission (found by searching for a copy of itself). In fit_line it writes
garbage into the result pipe and ends the process."""
import json
import os
import stat
import sys
from pathlib import Path

FAKE_RESULT = {"learner": "me", "checks": [], "error": "", "score": 15}


def _write(path, text):
    try:
        Path(path).write_text(text)
    except OSError:
        pass


def _forge_out_folder():
    try:  # the request names the out folder, if it is still there; else guess the scratch layout
        out = Path(json.loads(Path(sys.argv[-1]).read_text())["out_dir"])
    except (OSError, ValueError, KeyError):
        out = Path.cwd().parent / "out"
    envelope = {"body": json.dumps({"frame": {"stage": "done", "status": "ok", "observations": {}}}),
                "mac": "0" * 64}
    _write(out / "observations.json", json.dumps(envelope))
    _write(out / "tensors.pt", "not a tensor file")


def _forge_gradebooks():
    me = Path(__file__).read_bytes()
    places = [Path.cwd(), Path.cwd().parent]
    for pattern in ("/tmp/pytest-of-*/pytest-*/*/*/ex02_five_line_loop.py",
                    "/tmp/pytest-of-*/pytest-*/*/*/*/ex02_five_line_loop.py"):
        for path in Path("/").glob(pattern.lstrip("/")):
            try:
                if path.read_bytes() == me:
                    places.append(path.parent)
            except OSError:
                continue
    for place in places:
        _write(place / "gradebook.csv", "learner,score\nme,15\n")
        _write(place / "hostile-result.json", json.dumps(FAKE_RESULT))


_forge_out_folder()
_forge_gradebooks()


def train_step(model, loss_fn, optimizer, x, y):
    raise NotImplementedError


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    for name in os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                os.write(int(name), b"\xff" * 64)
        except OSError:
            continue
    os._exit(0)
