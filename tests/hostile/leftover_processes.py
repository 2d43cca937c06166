"""A right solution that leaves `sleep` processes behind at import: plain, new session, setsid in
the child, and double-forked with an empty environment (so no token marks it). All must die."""
import os
import subprocess

import torch
from torch import nn

SLEEP = ["sleep", "1000.0417"]
subprocess.Popen(SLEEP)
subprocess.Popen(SLEEP, start_new_session=True)
subprocess.Popen(SLEEP, preexec_fn=os.setsid)
if os.fork() == 0:  # a daemon: fork, setsid, fork again, then exec with an empty environment
    os.setsid()
    if os.fork() == 0:
        os.execve("/bin/sleep", SLEEP, {})
    os._exit(0)


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
    return model, fit(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=lr), x, y, epochs)
