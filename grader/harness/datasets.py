"""Deterministic data the probes feed learner code; the parent regenerates it to judge."""
from __future__ import annotations

import torch
from torch.utils.data import Dataset


def line(n: int, slope: float, intercept: float, noise: float = 0.1,
         seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x uniform in [-1, 1] as [n, 1]; y = slope * x + intercept + noise * N(0, 1)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=generator) * 2 - 1
    y = slope * x + intercept + noise * torch.randn(n, 1, generator=generator)
    return x, y


def plane(n: int, weights: tuple[float, float], bias: float, noise: float = 0.1,
          seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x ~ N(0, 1) as [n, 2]; y = x @ weights + bias + noise * N(0, 1), as [n, 1]."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=generator)
    y = x @ torch.tensor(weights).reshape(2, 1) + bias + noise * torch.randn(n, 1, generator=generator)
    return x, y


def seeded_linear(in_features: int, out_features: int, seed: int) -> torch.nn.Linear:
    """A Linear layer whose initial weights depend only on ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    layer = torch.nn.Linear(in_features, out_features)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(out_features, in_features, generator=generator) * 0.5)
        layer.bias.copy_(torch.randn(out_features, generator=generator) * 0.5)
    return layer


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
