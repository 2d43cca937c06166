"""Hidden checks for exercise 7, binary classification: float [N, 1] labels, logits into
BCEWithLogitsLoss, sigmoid probabilities only to predict, and accuracy on data the learner never saw.

Why these checks cannot be passed without the work: every grading draws its own label values and
threshold (one value exactly on it), classification rule, sample counts, batch size, learning
rates, epoch counts, prediction threshold and hidden plane (``draw``), keeping only draws where the
mean of the batch means is clearly off the sample mean, some probabilities fall between 0.5 and the
prediction threshold, and the grader's own run of the pipeline clears 90% by a margin. Labels,
losses, weights and probabilities are compared with the grader's own computation on those inputs,
and accuracy is measured from the learner's trained weights; messages give the learner's own
values and the size of the gaps, never the grader's.
"""
from __future__ import annotations

import math
import random

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.grading import replay
from grader.grading.device_judging import expect_moved_to_meta
from grader.harness import datasets
from grader.hidden.conftest import observe
from grader.harness.probes.ex07_binary_classification import (classes, contrary_model, label_inputs, plane, predict_inputs,
                                        predict_model)
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_train_mode, losses_of
from grader.grading.loop_order import count, order_problems

EXERCISE = "ex07"


def draw(rng: random.Random) -> dict:
    """15-40 label values, 100-200 samples in batches of 8-24 (a short last one), 2-6 epochs,
    a prediction threshold of 0.6-0.85, and a hidden plane learned in 15-25 epochs of Adam."""
    while True:
        inputs = _draw_once(rng)
        if _keeps_its_meaning(inputs):
            return inputs


def _draw_once(rng: random.Random) -> dict:
    size, label_n, plane_n = rng.randrange(8, 25), rng.randrange(15, 41), rng.randrange(350, 451)
    n = rng.randrange(100, 201)
    while n % size == 0:
        n = rng.randrange(100, 201)
    signed = lambda low, high: round(rng.choice((-1, 1)) * rng.uniform(low, high), 3)  # noqa: E731
    return {"seed": seed_in(rng), "label_n": label_n, "on_threshold": rng.randrange(label_n),
            "threshold": round(rng.uniform(-1.0, 1.0), 2), "n": n, "batch_size": size,
            "epochs": rng.randrange(2, 7), "lr": round(rng.uniform(0.1, 1.0), 2),
            "rule": [signed(0.5, 2.0) for _ in range(3)], "rule_bias": round(rng.uniform(-0.5, 0.5), 3),
            "predict_n": rng.randrange(25, 50), "predict_threshold": round(rng.uniform(0.6, 0.85), 2),
            "plane_n": plane_n, "train_size": int(plane_n * rng.uniform(0.7, 0.8)),
            "plane": [signed(0.5, 2.0) for _ in range(3)], "noise": round(rng.uniform(0.05, 0.2), 3),
            "pipeline_lr": rng.choice((0.03, 0.05, 0.08)), "pipeline_epochs": rng.randrange(15, 26)}


def _keeps_its_meaning(inputs: dict) -> bool:
    """Batch means mislead, the hidden threshold matters, and a correct pipeline clears 90% easily."""
    sample_means, batch_means, _ = _replay(inputs)
    probabilities = _probabilities(inputs)
    between = int(((probabilities > 0.5) & (probabilities <= inputs["predict_threshold"])).sum())
    if abs(sample_means[0] - batch_means[0]) <= 1e-3 or between < 2:
        return False
    logits, truth = _pipeline_logits(inputs)
    # a logit in (0, 0.5] tells accuracy from probabilities apart from accuracy from raw logits
    return ((logits > 0) == truth).float().mean().item() >= 0.95 and int(((logits > 0) & (logits <= 0.5)).sum()) >= 1


def _replay(inputs: dict) -> tuple[list[float], list[float], nn.Linear]:
    """The parent's own run: BCEWithLogitsLoss on raw logits; each epoch's sample mean and mean of batch means."""
    x, labels = classes(inputs)
    model = datasets.seeded_linear(3, 1, inputs["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=inputs["lr"])
    batches = replay.batches_of(x, labels, inputs["batch_size"])
    sample_means, batch_means = replay.epoch_means(model, nn.BCEWithLogitsLoss(), optimizer, batches,
                                                   inputs["epochs"])
    return sample_means, batch_means, model


def _probabilities(inputs: dict) -> torch.Tensor:
    """sigmoid of the predict model's logits in eval mode: what predict() must give."""
    with torch.no_grad():
        return torch.sigmoid(predict_model(inputs)[0](predict_inputs(inputs)))


def _pipeline_logits(inputs: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's own run of the pipeline scenario, batch for batch as the probe runs it:
    the held-out logits and the held-out truth (y > 5)."""
    x, y = plane(inputs)
    split = inputs["train_size"]
    loader = DataLoader(TensorDataset(x[:split], (y[:split] > 5.0).float().reshape(-1, 1)),
                        batch_size=inputs["batch_size"], shuffle=True,
                        generator=torch.Generator().manual_seed(inputs["seed"]))
    model = datasets.seeded_linear(3, 1, inputs["seed"] + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=inputs["pipeline_lr"])
    for _ in range(inputs["pipeline_epochs"]):
        for xb, yb in loader:
            loss = nn.BCEWithLogitsLoss()(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return model(x[split:]), (y[split:] > 5.0).reshape(-1, 1)


INPUTS = inputs_for(EXERCISE, draw)
ALSO_RUN_ON = ("meta",)  # the device checks run the child on meta too: started ahead with the rest


def _expect_labels(observed, name: str, described: dict, want: torch.Tensor, call: str) -> None:
    expect(described.get("type") == "Tensor", f"{call} returned a {described.get('type')}, expected a tensor")
    expect(described["shape"] == list(want.shape),
           f"{call} returned labels of shape {described['shape']}, expected {list(want.shape)}: "
           "one column, like the model's output [N, 1] (reshape(-1, 1))")
    expect(described["dtype"] == "torch.float32",
           f"{call} returned labels of dtype {described['dtype']}, expected torch.float32 "
           "(BCEWithLogitsLoss needs float targets: .float())")
    got = observed.tensor(name)
    wrong = int((got != want).sum())
    expect(wrong == 0, f"{call} gave {wrong} of {len(want)} labels wrong: 1.0 where y > threshold, "
                       "else 0.0 (a value equal to the threshold is 0.0)")


@pytest.mark.points(2)
def test_make_binary_labels_float_column(observed):
    """make_binary_labels gives float32 labels of shape [N, 1], 1.0 where y > threshold."""
    record = observed.scenario("labels", "make_binary_labels")
    y, threshold = label_inputs(INPUTS), INPUTS["threshold"]
    _expect_labels(observed, "labels.flat", record["flat"], (y > threshold).float().reshape(-1, 1),
                   f"make_binary_labels(y of shape [{len(y)}], threshold={threshold})")
    column = (y.reshape(-1, 1) + 5.0 - threshold > 5.0).float()
    _expect_labels(observed, "labels.column", record["column"], column,
                   f"make_binary_labels(y of shape [{len(y)}, 1]) with the default threshold 5")


@pytest.mark.points(4)
def test_bce_with_logits_on_raw_logits(observed):
    """train_classifier feeds raw logits and float [N, 1] labels to BCEWithLogitsLoss."""
    record = observed.scenario("train", "train_classifier")
    for event in (e for e in record["events"] if e["kind"] == "loss"):
        expect(not event["sigmoid_before"],
               f"{event['module']} received probabilities (a sigmoid was applied to the model's output "
               "before the loss): give BCEWithLogitsLoss the raw logits, it applies the sigmoid itself")
        expect(event["module"] == "BCEWithLogitsLoss",
               f"train_classifier used {event['module']}, expected nn.BCEWithLogitsLoss on the raw logits")
        expect(event["target_shape"] == event["input_shape"] and event["target_dtype"] == "torch.float32",
               f"BCEWithLogitsLoss got logits of shape {event['input_shape']} and labels of shape "
               f"{event['target_shape']} ({event['target_dtype']}), expected float32 labels shaped like the logits")
    _, _, reference = _replay(INPUTS)
    state = observed.state("train")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after train_classifier()")
    gap = (state["weight"] - reference.weight.detach()).abs().max().item()
    problems = order_problems(record["events"])
    why = problems[0] if problems else ("one step per batch with the optimizer passed in, on "
                                        "BCEWithLogitsLoss of the raw logits and float labels")
    expect(gap < 1e-5, f"after train_classifier() the weights differ by up to {gap:.2e} from the grader's own "
                       f"training of the same batches from the same start: {why}")


@pytest.mark.points(3)
def test_train_classifier_loss_per_epoch(observed):
    """One step per batch, in train mode, and each epoch's BCE loss averaged over its samples, as floats."""
    record = observed.scenario("train", "train_classifier")
    epochs, n, size = INPUTS["epochs"], INPUTS["n"], INPUTS["batch_size"]
    losses = losses_of(record, "train_classifier", epochs)
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    expect_train_mode(record["events"], "train_classifier()")
    steps, want_steps = count(record["events"], "step"), epochs * math.ceil(n / size)
    expect(steps == want_steps, f"train_classifier() took {steps} optimizer steps for {epochs} epochs of "
                                f"{n} samples in batches of {size}, expected {want_steps} (one per batch)")
    want, batch_means, _ = _replay(INPUTS)
    for epoch, (value, expected, mistaken) in enumerate(zip(losses, want, batch_means), start=1):
        what = " (that is the mean of the batch means)" if abs(value - mistaken) < 1e-5 else ""
        expect(abs(value - expected) < 1e-5,
               f"epoch {epoch} loss is {value:.5f}{what}, {abs(value - expected):.5f} away from the grader's own "
               f"run: the mean over all {n} samples, each batch's loss counted len(batch) times (the last batch "
               f"holds {n % size})")


@pytest.mark.points(3)
def test_predict_probabilities_and_labels(observed):
    """predict gives sigmoid probabilities in eval mode, without grad, on the CPU, and thresholded labels."""
    record = observed.scenario("predict", "predict")
    want = _probabilities(INPUTS)
    _expect_prediction(observed, record, "default", 0.5, want)
    _expect_prediction(observed, record, "threshold", INPUTS["predict_threshold"], want)
    labels = observed.tensor("predict.undecided.labels")
    ones = int((labels != 0).sum()) if labels.numel() else None
    expect(ones == 0, "for a model whose every logit is 0 (every probability exactly 0.5, the default threshold) "
                      f"predict labelled {ones if ones is not None else 'none'} of {INPUTS['predict_n']} samples 1, "
                      "expected 0: label 1 only where the probability is above the threshold (probs > threshold)")


def _expect_prediction(observed, record: dict, name: str, threshold: float, want: torch.Tensor) -> None:
    call = "predict(model, x)" if name == "default" else f"predict(model, x, threshold={threshold})"
    returned = record[name]
    described = returned["probabilities"]
    expect(described.get("type") == "Tensor" and returned["labels"].get("type") == "Tensor",
           f"{call} returned a {returned['type']}, expected a pair of tensors (probabilities, labels)")
    expect(described["shape"] == list(want.shape) and described["device"] == "cpu"
           and not described["requires_grad"],
           f"{call} gave probabilities of shape {described['shape']} on {described['device']} "
           f"(requires_grad={described['requires_grad']}), expected shape {list(want.shape)} on cpu "
           "computed under torch.no_grad()")
    got = observed.tensor(f"predict.{name}.probabilities")
    low, high = got.min().item(), got.max().item()
    expect(0.0 <= low and high <= 1.0, f"{call} gave 'probabilities' from {low:.3f} to {high:.3f}, "
                                       "expected values in [0, 1]: apply torch.sigmoid to the logits")
    gap = (got - want).abs().max().item()
    expect(gap < 1e-5, f"{call} gave probabilities that differ from sigmoid(logits) in eval mode by up to "
                       f"{gap:.3f}: call model.eval() (this model has Dropout) and torch.sigmoid(logits)")
    labels, expected = observed.tensor(f"predict.{name}.labels"), (want > threshold).float()
    wrong = int((labels.reshape(-1) != expected.reshape(-1)).sum()) if labels.numel() == len(want) else len(want)
    expect(wrong == 0, f"{call}: {wrong} of {len(want)} labels differ from probability > {threshold} (as 0.0/1.0)")


@pytest.mark.points(3)
def test_accuracy_on_hidden_data(observed):
    """Labelled, trained and scored end to end, the classifier gets >= 90% of unseen samples right."""
    observed.require_run()
    record = observed.outcome.observations.get("pipeline") or {}
    expect(not record.get("error"), "on fresh plane data, labelling with make_binary_labels, training with "
                                    f"train_classifier and scoring with accuracy raised {record.get('error')}")
    state = observed.state("pipeline")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after train_classifier()")
    x, y = plane(INPUTS)
    split = INPUTS["train_size"]
    logits = x[split:] @ state["weight"].T + state["bias"]
    truth = (y[split:] > 5.0).reshape(-1, 1)
    measured = ((logits > 0) == truth).float().mean().item()
    expect(measured >= 0.9, f"trained on {split} labelled samples ({INPUTS['pipeline_epochs']} epochs of Adam), "
                            f"the classifier gets {measured:.1%} of {len(truth)} unseen samples right, expected "
                            "at least 90%: check the labels (y > 5, float, [N, 1]) and the loss")
    reported = record["accuracy"]
    expect(reported is not None, f"accuracy() returned a {record['accuracy_type']}, expected a Python float")
    expect(abs(reported - measured) < 1e-6,
           f"accuracy() returned {reported:.4f} for the trained model, {abs(reported - measured):.4f} away from "
           f"the fraction of the {len(truth)} samples it labels right: the fraction of predictions (logit > 0) "
           "equal to the labels")
    contrary = contrary_model(INPUTS)
    with torch.no_grad():
        measured = ((contrary(x[split:]) > 0) == truth).float().mean().item()
    reported = record.get("accuracy_contrary")
    expect(reported is not None and abs(reported - measured) < 1e-6,
           f"for a model that labels most samples wrong (both 1 for a 0 and 0 for a 1), accuracy() returned "
           f"{'nothing usable' if reported is None else f'{reported:.4f}'}, not the fraction of samples whose "
           "predicted label equals their label: a sample counts as right only when the two are equal")


@pytest.mark.points(1)
def test_train_classifier_and_predict_use_the_device(request):
    """With device="meta", training moves the model and every batch there, and predict hands its results back on the CPU."""
    observed_on_meta = observe(request.config, EXERCISE, INPUTS, device="meta")
    record = observed_on_meta.scenario("train_on_meta", "train_classifier")
    expect_moved_to_meta(record, "train_classifier(..., device=meta)")
    record = observed_on_meta.scenario("predict_on_meta", "predict")
    raised = record["raised"] or ""
    expect("Cannot copy out of meta tensor" in raised or (not raised and "meta" not in record["devices"]),
           f"predict(..., device=meta) returned tensors on {', '.join(record['devices']) or 'no device'}"
           f"{' and raised ' + raised if raised else ''}: move the model and x to the device, and hand the "
           "probabilities and labels back with .cpu()")
