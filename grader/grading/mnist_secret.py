"""MNIST under a secret permutation drawn per grading, so that weights trained elsewhere are worthless.

Every grading of exercise 8 draws a permutation of the 784 pixel positions and of the 10 labels.
The learner's ``train_mnist`` gets the permuted training split; the grader scores the returned
weights on the test split under the same permutation. A linear model learns permuted digits
exactly as well as the originals (a permutation of its inputs is a permutation of its weight
columns), but weights trained on real MNIST, or on another grading's permutation, classify about
one digit in ten.

The child is handed the permuted training split itself, as a tensor file in a folder of its own,
never a path from which the test files could be read.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from grader.launch import child_data
from grader import mnist

TRAINING_FILE = "train.pt"


@dataclass(frozen=True)
class SecretPermutation:
    """Where each pixel and each label goes: ``pixels`` [784], ``labels`` [10] (new = labels[old])."""

    pixels: torch.Tensor
    labels: torch.Tensor

    @classmethod
    def drawn(cls, seed: int) -> "SecretPermutation":
        generator = torch.Generator().manual_seed(seed)
        return cls(torch.randperm(784, generator=generator), torch.randperm(10, generator=generator))

    def images(self, data: torch.Tensor) -> torch.Tensor:
        """uint8 or float images [N, 28, 28] (or [N, 1, 28, 28]) with their pixels moved."""
        shape = data.shape
        return data.reshape(len(data), 784)[:, self.pixels].reshape(shape)

    def targets(self, targets: torch.Tensor) -> torch.Tensor:
        return self.labels[targets]


def permuted_split(permutation: SecretPermutation, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(data uint8 [N, 28, 28], targets int64 [N]) of one split, under the permutation."""
    digits = mnist.InMemoryMNIST(train=train)
    return permutation.images(digits.data), permutation.targets(digits.targets)


def write_training_split(permutation: SecretPermutation) -> Path:
    """A fresh folder holding only the permuted training split (in ``child_data.folder()``, removed
    when this process ends)."""
    folder = child_data.new_subfolder("mnist-")
    data, targets = permuted_split(permutation, train=True)
    torch.save({"data": data.contiguous(), "targets": targets.contiguous()}, folder / TRAINING_FILE)
    (folder / TRAINING_FILE).chmod(0o644)  # a child with a user id of its own reads it
    return folder
