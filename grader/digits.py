"""MNIST-like digits held as tensors: what the grader and the visible tests hand to learner code.

Importable on its own (the child's runtime copy holds this module beside ``grader.harness``, and the
learner bundle ships it with ``grader.mnist``): nothing here imports the rest of the grader.
"""
from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Digits(Dataset):
    """Digits held as tensors, served as ``torchvision.datasets.MNIST(transform=ToTensor())`` serves
    them: items ``(float32 [1, 28, 28] in [0, 1], int)``, with ``data`` (uint8 [N, 28, 28]),
    ``targets`` (int64 [N]) and ``classes``; ``images`` holds every item's image at once.

    ``__getitems__`` is the batched fetch a ``DataLoader`` uses when a dataset has it: one gather
    for the whole batch instead of one ``__getitem__`` and one clone per item, so a learner's
    ordinary shuffling loop runs fast. Items are fresh copies either way.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, data: torch.Tensor, targets: torch.Tensor, train: bool = True,
                 images: torch.Tensor | None = None) -> None:
        self.data, self.targets, self.train = data, targets, train
        self.images = data.unsqueeze(1).to(torch.float32).div(255) if images is None else images
        self._fetched: list[int] | None = None

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        if self._fetched is not None:
            self._fetched.append(int(index))
        return self.images[index].clone(), int(self.targets[index])

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, int]]:
        batch = torch.as_tensor(indices, dtype=torch.long)
        if self._fetched is not None:
            self._fetched.extend(batch.tolist())
        return list(zip(self.images[batch].unbind(0), self.targets[batch].tolist()))

    def record_fetches(self) -> list[int]:
        """From now on, every index fetched (in this process) is appended to the returned list."""
        self._fetched = []
        return self._fetched
