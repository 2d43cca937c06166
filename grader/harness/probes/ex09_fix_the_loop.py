"""Probe for exercise 9: each repaired function, called on hidden data and watched by the spy."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    x, y = regression(data)
    with ctx.scenario("train_full_batch") as record:
        model, optimizer = start(data)
        model.eval()  # handed in eval mode, as after an evaluation: training must switch train mode on
        with LoopSpy(model, optimizer=optimizer) as spy:
            losses = module.train_full_batch(model, nn.MSELoss(), optimizer, x, y, data["epochs"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model))
        ctx.save_state("train_full_batch", values.state_tensors(model))
    with ctx.scenario("make_train_loader") as record:
        _loader_orders(module, data, record)
    for name in ("train_epochs", "collect_losses"):
        with ctx.scenario(name) as record:
            model, optimizer = start(data)
            model.eval()  # as above
            loader = DataLoader(TensorDataset(x, y), batch_size=data["batch_size"])
            with LoopSpy(model, optimizer=optimizer) as spy:
                losses = getattr(module, name)(model, nn.MSELoss(), optimizer, loader, data["epochs"])
            record.update(losses=values.describe_list(losses), events=spy.trace(model))
            ctx.save_state(name, values.state_tensors(model))
    with ctx.scenario("regression_loss") as record:
        prediction, target = loss_pair(data)
        loss = module.regression_loss(prediction.clone().requires_grad_(True), target)
        record.update(type=values.type_name(loss),
                      shape=list(loss.shape) if isinstance(loss, torch.Tensor) else None,
                      requires_grad=bool(getattr(loss, "requires_grad", False)))
        ctx.save("regression_loss", values.safe_tensor(loss))


def _loader_orders(module, data: dict, record: dict) -> None:
    """Samples 0..n-1 (targets their negatives): first epochs for two seeds, then 3 epochs of one loader."""
    index = torch.arange(float(data["n"])).unsqueeze(1)
    seeds = data["loader_seeds"]
    record["orders"] = [_epoch(module.make_train_loader(index, -index, data["batch_size"], seed))
                        for seed in (seeds[0], seeds[0], seeds[1])]
    loader = module.make_train_loader(index, -index, data["batch_size"], seeds[0])
    record["epochs"] = [_epoch(loader) for _ in range(3)]


def regression(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """x [n, 3], y [n, 1]: a noisy plane (the grading's weights and bias) the training functions fit."""
    generator = torch.Generator().manual_seed(data["data_seed"])
    x = torch.randn(data["n"], 3, generator=generator)
    noise = data["noise"] * torch.randn(data["n"], 1, generator=generator)
    return x, x @ torch.tensor(data["weights"]).unsqueeze(1) + data["bias"] + noise


def loss_pair(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Predictions [n, 1] and targets [n] for regression_loss: the targets are shifted by ``shift * x[:, 0]``."""
    x, y = regression(data)
    return y, y.flatten() + data["shift"] * x[:, 0]


def start(data: dict) -> tuple[nn.Module, torch.optim.Optimizer]:
    """The seeded model and SGD optimizer every training scenario starts from."""
    model = datasets.seeded_linear(3, 1, data["model_seed"])
    return model, torch.optim.SGD(model.parameters(), lr=data["lr"])


def _epoch(loader) -> dict:
    """One pass over a loader of (index, -index) pairs: sample order, batch sizes, pairs intact."""
    order, sizes, paired = [], [], True
    for xb, yb in loader:
        order += [int(v) for v in xb.flatten().tolist()]
        sizes.append(len(xb))
        paired = paired and bool(torch.equal(yb, -xb))
    return {"order": order, "sizes": sizes, "paired": paired}
