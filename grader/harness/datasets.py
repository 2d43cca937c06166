"""Deterministic data the probes feed learner code; the parent regenerates it to judge."""
from __future__ import annotations

import torch


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

