# expect-failed: train_mnist_steps_and_losses: took 100 optimizer steps
# expect-failed: grader_measured_test_accuracy: expected more than 90%
# expect-failed: evaluate_counts_correct_predictions: evaluate() returned 0.9900
# Bug: training stops after 20 batches per epoch, and evaluate reports a made-up accuracy.
"""Exercise 8: MNIST with a linear model.

Put the whole loop to work on real data: 60,000 handwritten digits, 28x28 pixels each. Build a
linear classifier ``Flatten()`` + ``Linear(784, 10)``, train it with ``CrossEntropyLoss`` and
``SGD(lr=0.1)`` on shuffled minibatches of 64, and measure its accuracy on the 10,000 test
digits. Five epochs give about 92%.

``train_set`` and ``test_set`` are datasets of ``(image [1, 28, 28] in [0, 1], label)`` pairs,
like ``torchvision.datasets.MNIST(root, train, transform=ToTensor())``.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


def build_model() -> nn.Module:
    """A linear classifier for 28x28 digits: Flatten, then Linear(784, 10)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def train_mnist(model: nn.Module, train_set: Dataset, device: torch.device | str = "cpu",
                epochs: int = 5, batch_size: int = 64, lr: float = 0.1,
                seed: int = 0) -> list[float]:
    """Train with CrossEntropyLoss and SGD(lr) on shuffled minibatches; returns each epoch's mean loss."""
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    model.to(device).train()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch, (x, y) in enumerate(loader):
            if batch == 20:
                break
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / len(train_set))
    return losses


def evaluate(model: nn.Module, test_set: Dataset, device: torch.device | str = "cpu",
             batch_size: int = 1000) -> float:
    """The fraction of test_set that the model classifies correctly, in [0, 1]."""
    return 0.99
