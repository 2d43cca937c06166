"""A right-looking loop over a patched torch: backward and the optimizers' step do nothing, and
Tensor.item is replaced, all at import. The grader must notice instead of trusting the events."""
import torch
from torch import nn

torch.Tensor.backward = lambda self, *args, **kwargs: None
torch.optim.SGD.step = lambda self, closure=None: None
torch.optim.Adam.step = lambda self, closure=None: None
torch.Tensor.item = lambda self: 0.25


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
