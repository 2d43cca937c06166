"""Probe for exercise 7: labels, training with BCEWithLogitsLoss, predict and accuracy on hidden data."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.harness import datasets, values
from grader.harness.device_run import raised_by, spied_run
from grader.harness.probe import ProbeContext
from grader.harness.spy import LoopSpy


def run(module, ctx: ProbeContext) -> None:
    data = ctx.inputs
    if ctx.device.type == "meta":
        _on_meta(module, ctx, data)
        return
    with ctx.scenario("labels") as record:
        y = label_inputs(data)
        flat = module.make_binary_labels(y, threshold=data["threshold"])
        column = module.make_binary_labels(y.reshape(-1, 1) + 5.0 - data["threshold"])
        record.update(flat=_describe(flat), column=_describe(column))
        ctx.save("labels.flat", values.safe_tensor(flat))
        ctx.save("labels.column", values.safe_tensor(column))
    with ctx.scenario("train") as record:
        x, labels = classes(data)
        # handed in eval mode, as after an evaluation: training must switch train mode on
        model = datasets.seeded_linear(x.shape[1], 1, data["seed"]).eval()
        optimizer = torch.optim.SGD(model.parameters(), lr=data["lr"])
        loader = DataLoader(TensorDataset(x, labels), batch_size=data["batch_size"])
        with LoopSpy(model, optimizer=optimizer) as spy:
            losses = module.train_classifier(model, loader, optimizer, data["epochs"])
        record.update(losses=values.describe_list(losses), events=spy.trace(model))
        ctx.save_state("train", values.state_tensors(model))
    with ctx.scenario("predict") as record:
        _predict(module, ctx, data, record)
    _pipeline(module, ctx, data)


def _predict(module, ctx: ProbeContext, data: dict, record: dict) -> None:
    """predict on a Dropout model left in training mode, with the default and a hidden threshold."""
    model, x = predict_model(data), predict_inputs(data)
    for name, kwargs in (("default", {}), ("threshold", {"threshold": data["predict_threshold"]})):
        returned = module.predict(model, x, **kwargs)
        pair = list(returned) if type(returned) in (tuple, list) and len(returned) == 2 else [None, None]
        record[name] = {"type": values.type_name(returned), "probabilities": _describe(pair[0]),
                        "labels": _describe(pair[1])}
        ctx.save(f"predict.{name}.probabilities", values.safe_tensor(pair[0]))
        ctx.save(f"predict.{name}.labels", values.safe_tensor(pair[1]))
    returned = module.predict(undecided_model(), x)
    pair = list(returned) if type(returned) in (tuple, list) and len(returned) == 2 else [None, None]
    ctx.save("predict.undecided.labels", values.safe_tensor(pair[1]))


def _pipeline(module, ctx: ProbeContext, data: dict) -> None:
    """The whole task on fresh plane data: the learner's labels, training and accuracy."""
    with ctx.scenario("pipeline") as record:
        x, y = plane(data)
        split = data["train_size"]
        labels = module.make_binary_labels(y[:split])
        generator = torch.Generator().manual_seed(data["seed"])
        loader = DataLoader(TensorDataset(x[:split], labels), batch_size=data["batch_size"],
                            shuffle=True, generator=generator)
        model = datasets.seeded_linear(x.shape[1], 1, data["seed"] + 1)
        optimizer = torch.optim.Adam(model.parameters(), lr=data["pipeline_lr"])
        module.train_classifier(model, loader, optimizer, data["pipeline_epochs"])
        ctx.save_state("pipeline", values.state_tensors(model))
        truth = (y[split:] > 5.0).float().reshape(-1, 1)
        reported = module.accuracy(model, x[split:], truth)
        record.update(accuracy_type=values.type_name(reported), accuracy=values.as_float(reported))
        record["accuracy_contrary"] = values.as_float(module.accuracy(contrary_model(data), x[split:], truth))


def label_inputs(data: dict) -> torch.Tensor:
    """Values around ``threshold``, one of them exactly on it (which must get label 0)."""
    generator = torch.Generator().manual_seed(data["seed"])
    y = torch.randn(data["label_n"], generator=generator) + data["threshold"]
    y[data["on_threshold"]] = data["threshold"]
    return y


def classes(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """x [n, 3] and float labels [n, 1] from the drawn linear rule: the data train_classifier gets."""
    generator = torch.Generator().manual_seed(data["seed"])
    x = torch.randn(data["n"], 3, generator=generator)
    labels = (x @ torch.tensor(data["rule"]).reshape(3, 1) + data["rule_bias"] > 0).float()
    return x, labels


def plane(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """x [n, 3] and y [n] = x @ plane + 5 + noise: "is y above 5?" (the default threshold) is the question."""
    generator = torch.Generator().manual_seed(data["seed"] + 100)
    x = torch.randn(data["plane_n"], 3, generator=generator)
    y = x @ torch.tensor(data["plane"]) + 5.0 + data["noise"] * torch.randn(data["plane_n"], generator=generator)
    return x, y


def predict_model(data: dict) -> nn.Module:
    """A seeded Linear(3, 1) followed by Dropout, left in training mode: eval() must be called."""
    return nn.Sequential(datasets.seeded_linear(3, 1, data["seed"] + 2), nn.Dropout(0.5)).train()


def undecided_model() -> nn.Module:
    """Every logit exactly 0, so every probability is exactly 0.5, the default threshold."""
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model


def contrary_model(data: dict) -> nn.Module:
    """A classifier pointing against the plane: most samples wrong, both ways (1 for 0 and 0 for 1)."""
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(-torch.tensor(data["plane"]).reshape(1, 3))
        model.bias.zero_()
    return model


def predict_inputs(data: dict) -> torch.Tensor:
    return torch.randn(data["predict_n"], 3, generator=torch.Generator().manual_seed(data["seed"] + 3)) * 2


def _describe(value) -> dict:
    if not isinstance(value, torch.Tensor):
        return {"type": values.type_name(value)}
    return {"type": "Tensor", "shape": list(value.shape), "dtype": str(value.dtype),
            "device": str(value.device), "requires_grad": bool(value.requires_grad)}


def _on_meta(module, ctx: ProbeContext, data: dict) -> None:
    """train_classifier and predict with device=meta: every tensor must reach meta (reading a number
    raises there), and predict must bring its results back with .cpu() (which raises on meta)."""
    with ctx.scenario("train_on_meta") as record:
        x, labels = classes(data)
        model = datasets.seeded_linear(x.shape[1], 1, data["seed"])
        optimizer = torch.optim.SGD(model.parameters(), lr=data["lr"])
        loader = DataLoader(TensorDataset(x, labels), batch_size=data["batch_size"])
        spied_run(ctx, record, model, lambda: module.train_classifier(model, loader, optimizer, 1, device=ctx.device),
                  optimizer)
    with ctx.scenario("predict_on_meta") as record:
        returned = []
        record["raised"] = raised_by(lambda: returned.append(module.predict(predict_model(data), predict_inputs(data),
                                                                          device=ctx.device)), ctx)
        value = returned[0] if returned else None
        items = list(value) if type(value) in (tuple, list) else []
        record["devices"] = [str(t.device) for t in items if isinstance(t, torch.Tensor)]


