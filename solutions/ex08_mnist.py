"""Exercise 8: MNIST with a linear model.

Put the whole loop to work on real data: 60,000 handwritten digits, 28x28 pixels each. Build a
linear classifier ``Flatten()`` + ``Linear(784, 10)``, train it with ``CrossEntropyLoss`` and
``SGD(lr=0.1)`` on shuffled minibatches of 64, and measure its accuracy on the 10,000 test
digits. Five epochs give about 92%.

``train_set`` and ``test_set`` are datasets of ``(image [1, 28, 28] in [0, 1], label)`` pairs,
like ``torchvision.datasets.MNIST(root, train, transform=ToTensor())``.
Decided: train on the images as they are given; do not normalise them inside ``train_mnist``:
the weights it returns are scored on test images in the same [0, 1] range.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


def build_model() -> nn.Module:
    """A linear classifier for 28x28 digits: Flatten, then Linear(784, 10)."""
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    ### END SOLUTION


def train_mnist(model: nn.Module, train_set: Dataset, device: torch.device | str = "cpu",
                epochs: int = 5, batch_size: int = 64, lr: float = 0.1,
                seed: int = 0) -> list[float]:
    """Train (train mode) with CrossEntropyLoss and SGD(lr) on minibatches shuffled as ``seed`` decides
    (the same seed, the same order); returns each epoch's mean loss."""
    ### BEGIN SOLUTION
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    model.to(device).train()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / len(train_set))
    return losses
    ### END SOLUTION


def evaluate(model: nn.Module, test_set: Dataset, device: torch.device | str = "cpu",
             batch_size: int = 1000) -> float:
    """The fraction of test_set that the model classifies correctly (in eval mode), in [0, 1]."""
    ### BEGIN SOLUTION
    model.to(device).eval()
    correct = 0
    with torch.no_grad():
        for x, y in DataLoader(test_set, batch_size=batch_size):
            prediction = model(x.to(device)).argmax(dim=1)
            correct += (prediction == y.to(device)).sum().item()
    return correct / len(test_set)
    ### END SOLUTION
