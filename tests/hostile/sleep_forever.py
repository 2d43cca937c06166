"""train_step is right; fit sleeps forever, using no CPU (only the wall limit can stop it)."""
import time


def train_step(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model, loss_fn, optimizer, x, y, epochs):
    time.sleep(10**6)


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
