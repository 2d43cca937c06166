"""At import, writes 300 MB into /dev/shm and 300 MB into /tmp (memory that RLIMIT_DATA does not
count, and files that would outlive the child) and leaves them there. Otherwise an honest loop,
so it keeps full marks; the test checks that nothing is left behind."""
import os

import torch
from torch import nn

CHUNK = b"\0" * (1 << 20)
for path in ("/dev/shm/looplab-hostile-shm", "/tmp/looplab-hostile-tmp"):
    try:
        with open(path, "wb") as handle:
            for _ in range(300):
                handle.write(CHUNK)
    except OSError:
        pass


def train_step(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model, loss_fn, optimizer, x, y, epochs):
    return [train_step(model, loss_fn, optimizer, x, y) for _ in range(epochs)]


def fit_line(x, y, epochs=100, lr=0.1):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, fit(model, nn.MSELoss(), optimizer, x, y, epochs)
