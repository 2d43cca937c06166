"""A right solution that prints 50 MB at import and 1 MB per step: only the tail is kept."""
import torch
from torch import nn

LINE = "x" * 1023 + "\n"
for _ in range(50 * 1024):
    print(LINE, end="")


def train_step(model, loss_fn, optimizer, x, y):
    print(LINE * 1024, end="")
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
