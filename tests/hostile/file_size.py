"""Writes a 20 MB file into its working folder, past the file-size limit, before each step."""


def train_step(model, loss_fn, optimizer, x, y):
    with open("big.bin", "wb") as handle:
        for _ in range(20):
            handle.write(b"\0" * 2**20)
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def fit(model, loss_fn, optimizer, x, y, epochs):
    return [train_step(model, loss_fn, optimizer, x, y) for _ in range(epochs)]


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
