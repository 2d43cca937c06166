"""train_step is right; fit dereferences a null pointer through ctypes (SIGSEGV)."""
import ctypes


def train_step(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model, loss_fn, optimizer, x, y, epochs):
    ctypes.string_at(0)


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
