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
    # TODO(ex08): implement build_model()
    raise NotImplementedError("ex08: implement build_model() in exercises/ex08_mnist.py")


def train_mnist(model: nn.Module, train_set: Dataset, device: torch.device | str = "cpu",
                epochs: int = 5, batch_size: int = 64, lr: float = 0.1,
                seed: int = 0) -> list[float]:
    """Train (train mode) with CrossEntropyLoss and SGD(lr) on minibatches shuffled as ``seed`` decides
    (the same seed, the same order); returns each epoch's mean loss."""
    # TODO(ex08): implement train_mnist()
    raise NotImplementedError("ex08: implement train_mnist() in exercises/ex08_mnist.py")


def evaluate(model: nn.Module, test_set: Dataset, device: torch.device | str = "cpu",
             batch_size: int = 1000) -> float:
    """The fraction of test_set that the model classifies correctly (in eval mode), in [0, 1]."""
    # TODO(ex08): implement evaluate()
    raise NotImplementedError("ex08: implement evaluate() in exercises/ex08_mnist.py")
