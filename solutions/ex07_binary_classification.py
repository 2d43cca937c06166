"""Exercise 7: Binary classification with logits.

Turn the plane regression y = 3*x1 + 2*x2 + 5 into a yes/no question: is y above 5? The model
outputs one raw score (a logit) per sample; ``nn.BCEWithLogitsLoss`` applies the sigmoid itself,
more stably than a separate ``torch.sigmoid``. Probabilities are only computed to predict.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_binary_labels(y: torch.Tensor, threshold: float = 5.0) -> torch.Tensor:
    """Float32 labels of shape [N, 1]: 1.0 where y > threshold, else 0.0 (y is [N] or [N, 1])."""
    ### BEGIN SOLUTION
    return (y.reshape(-1, 1) > threshold).float()
    ### END SOLUTION


def train_classifier(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer,
                     epochs: int, device: torch.device | str = "cpu") -> list[float]:
    """Train (train mode) with BCEWithLogitsLoss on raw logits; returns each epoch's per-sample mean loss."""
    ### BEGIN SOLUTION
    loss_fn = nn.BCEWithLogitsLoss()
    model.to(device)
    model.train()
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for x, labels in loader:
            x, labels = x.to(device), labels.to(device)
            loss = loss_fn(model(x), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            count += len(x)
        losses.append(total / count)
    return losses
    ### END SOLUTION


def predict(model: nn.Module, x: torch.Tensor, device: torch.device | str = "cpu",
            threshold: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    """Eval mode, no grad: (sigmoid probabilities [N, 1], float labels probs > threshold), CPU."""
    ### BEGIN SOLUTION
    model.to(device)
    model.eval()
    with torch.no_grad():
        probabilities = torch.sigmoid(model(x.to(device))).cpu()
    return probabilities, (probabilities > threshold).float()
    ### END SOLUTION


def accuracy(model: nn.Module, x: torch.Tensor, labels: torch.Tensor,
             device: torch.device | str = "cpu") -> float:
    """Fraction of samples whose predicted label (from predict) equals ``labels``, as a float."""
    ### BEGIN SOLUTION
    _, predicted = predict(model, x, device)
    return (predicted == labels.cpu().reshape(-1, 1)).float().mean().item()
    ### END SOLUTION


def fit_binary_plane(device: torch.device | str = "cpu", seed: int = 0) -> dict:
    """Given: label the plane data (y > 5), fit Linear(2, 1) on 192 samples, score the other 48."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(240, 2, generator=generator)
    y = 3 * x[:, 0] + 2 * x[:, 1] + 5 + 0.1 * torch.randn(240, generator=generator)
    labels = make_binary_labels(y)
    torch.manual_seed(seed)
    model = nn.Linear(2, 1)
    loader = DataLoader(TensorDataset(x[:192], labels[:192]), batch_size=16, shuffle=True,
                        generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    train_losses = train_classifier(model, loader, optimizer, 80, device)
    return {"model": model, "val_accuracy": accuracy(model, x[192:], labels[192:], device),
            "train_losses": train_losses}
