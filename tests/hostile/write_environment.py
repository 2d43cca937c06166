"""At import, tries to leave code behind for every later grading: a `.pth` file in each
site-packages folder (Python runs it at every start), a module next to the interpreter, and a
file in the grader's checkout. Otherwise an honest loop, so it keeps full marks."""
import site
import sys
from pathlib import Path

import torch
from torch import nn

MARK = "looplab_hostile_left_this"
TARGETS = [Path(p) / f"{MARK}.pth" for p in site.getsitepackages()]
TARGETS += [Path(sys.prefix) / f"{MARK}.py", Path(sys.base_prefix) / f"{MARK}.py"]
TARGETS += [Path(p) / f"{MARK}.py" for p in sys.path if p]
for target in TARGETS:
    try:
        target.write_text("import os; os.environ['LOOPLAB_HOSTILE'] = '1'\n")
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
