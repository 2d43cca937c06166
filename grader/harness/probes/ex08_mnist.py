"""Probe for exercise 8: build_model, train_mnist on the MNIST training split only, and evaluate.

The child never sees the test split: the parent measures test accuracy itself from the weights
saved here. The child gets one tensor file, the training digits under this grading's secret
permutation (see ``grader.grading.mnist_secret``), read into a dataset that behaves like
``grader.mnist.InMemoryMNIST(train=True)``.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from grader.digits import Digits
from grader.harness import values
from grader.harness.device_run import spied_run
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def training_digits(folder: str) -> Digits:
    """The permuted training digits the parent wrote into ``folder``."""
    blob = torch.load(Path(folder, "train.pt"), weights_only=True)
    return Digits(blob["data"], blob["targets"])


FEW = 200  # digits in the short runs: three batches of 64 and a short one of 8


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    train_set = training_digits(data["train_dir"])
    if ctx.device.type == "meta":
        _few_on_meta(module, ctx, train_set)
        return
    torch.manual_seed(data["seed"])
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))  # used if build_model() fails
    with ctx.scenario("build_model") as record:
        built = module.build_model()
        record["type"] = values.type_name(built)
        if isinstance(built, nn.Module):
            record["shapes"] = [list(p.shape) for p in built.parameters()]
            with torch.no_grad():
                output = built(torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(data["seed"])))
            record["output_shape"] = list(output.shape)
            record["probabilities"] = _rows_are_probabilities(output)
            model = built
    with ctx.scenario("train") as record:
        served = train_set.record_fetches()
        with LoopSpy(model) as spy:
            losses = module.train_mnist(model, train_set, device=ctx.device, epochs=data["epochs"],
                                        batch_size=data["batch_size"], lr=data["lr"], seed=data["seed"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model),
                      order=_epoch_orders(served, len(train_set)))
        ctx.save_state("train", values.state_tensors(model))
    with ctx.scenario("evaluate") as record:
        scored = evaluation_model(data["seed"]).train()  # handed in train mode: evaluate must call eval()
        indices = evaluation_indices(data)
        subset = Digits(train_set.data[indices], train_set.targets[indices])
        with LoopSpy(scored) as spy:
            accuracy = module.evaluate(scored, subset, device=ctx.device)
        record.update(type=values.type_name(accuracy), accuracy=values.as_float(accuracy), events=spy.trace(scored))
    with ctx.scenario("few_digits") as record:
        record["runs"] = _few_digit_runs(module, ctx, few_digits(train_set))


def few_digits(train_set: Digits) -> Digits:
    """The first FEW training digits (of this grading's permuted split)."""
    return Digits(train_set.data[:FEW], train_set.targets[:FEW])


def few_start(seed: int) -> nn.Module:
    """The seeded Flatten + Linear(784, 10) the short runs start from (a zero bias)."""
    return _seeded_classifier(seed + 2, weight_scale=0.01, bias_scale=0.0)


def _few_digit_runs(module, ctx: ProbeContext, digits: Digits) -> list[dict]:
    """Two epochs on FEW digits, three times (seeds s, s, s + 1), each from the same start in eval
    mode; the global generator is not reseeded between runs, so only a seeded shuffle repeats."""
    data, runs = ctx.inputs, []
    for seed in (data["seed"], data["seed"], data["seed"] + 1):
        model = few_start(data["seed"]).eval()
        served = digits.record_fetches()
        with LoopSpy(model) as spy:
            losses = module.train_mnist(model, digits, device=ctx.device, epochs=2,
                                        batch_size=data["batch_size"], lr=data["lr"], seed=seed)
        runs.append({"losses": values.describe_list(losses), "order": list(served), "events": spy.trace(model)})
        if len(runs) == 1:
            ctx.save_state("few_digits", values.state_tensors(model))
    return runs


def _few_on_meta(module, ctx: ProbeContext, train_set: Digits) -> None:
    """One epoch on FEW digits with device=meta: every tensor must reach meta (reading a loss raises)."""
    with ctx.scenario("few_on_meta") as record:
        model = few_start(ctx.inputs["seed"])
        spied_run(ctx, record, model, lambda: module.train_mnist(
            model, few_digits(train_set), device=ctx.device, epochs=1, batch_size=ctx.inputs["batch_size"],
            lr=ctx.inputs["lr"], seed=ctx.inputs["seed"]))


def evaluation_model(seed: int) -> nn.Module:
    """A fixed, untrained-looking linear classifier whose accuracy the parent knows."""
    return _seeded_classifier(seed, weight_scale=0.05, bias_scale=0.1)


def _seeded_classifier(seed: int, weight_scale: float, bias_scale: float) -> nn.Module:
    """Flatten + Linear(784, 10) with normal weights and bias drawn from ``seed``, then scaled."""
    generator = torch.Generator().manual_seed(seed)
    layer = nn.Linear(784, 10)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(10, 784, generator=generator) * weight_scale)
        layer.bias.copy_(torch.randn(10, generator=generator) * bias_scale)
    return nn.Sequential(nn.Flatten(), layer)


def evaluation_indices(data: dict) -> torch.Tensor:
    """Which training digits evaluate() scores: a seeded sample, not a multiple of its batch size."""
    generator = torch.Generator().manual_seed(data["seed"] + 1)
    return torch.randperm(60000, generator=generator)[: data["eval_n"]]


def _rows_are_probabilities(output) -> bool:
    """Whether every row is non-negative and sums to 1 (softmax output), not free logits."""
    if not isinstance(output, torch.Tensor) or output.dim() != 2 or output.device.type == "meta":
        return False
    rows = output.detach().float()
    return bool((rows >= 0).all() and torch.allclose(rows.sum(dim=1), torch.ones(len(rows)), atol=1e-4))


def _epoch_orders(served: list[int], size: int) -> dict:
    """How the training digits were served: whether epoch 1 was in stored order and whether epoch 2
    repeated epoch 1 (None when the fetches were not seen, e.g. DataLoader workers)."""
    if len(served) < 2 * size:
        return {"seen": False}
    first, second = served[:size], served[size:2 * size]
    return {"seen": True, "stored_order": first == list(range(size)), "repeated": first == second}
