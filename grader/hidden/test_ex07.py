"""Hidden checks for exercise 7, binary classification: float [N, 1] labels, logits into
BCEWithLogitsLoss, sigmoid probabilities only to predict, and accuracy on data the learner never saw."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from grader import replay
from grader.harness import datasets
from grader.harness.probes.ex07 import classes, label_inputs, plane, predict_inputs, predict_model
from grader.judging import expect, expect_epoch_losses, losses_of
from grader.loop_order import count, order_problems

EXERCISE = "ex07"
INPUTS = {"seed": 31, "label_n": 23, "threshold": 0.25, "n": 150, "batch_size": 16, "epochs": 4,
          "lr": 0.5, "predict_threshold": 0.7, "train_size": 300, "pipeline_lr": 0.05,
          "pipeline_epochs": 25}


def _replay() -> tuple[list[float], nn.Linear]:
    """The parent's own run: BCEWithLogitsLoss on raw logits, per-sample mean loss per epoch."""
    x, labels = classes(INPUTS["n"], INPUTS["seed"])
    model = datasets.seeded_linear(3, 1, INPUTS["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=INPUTS["lr"])
    batches = replay.batches_of(x, labels, INPUTS["batch_size"])
    return replay.train_epochs(model, nn.BCEWithLogitsLoss(), optimizer, batches, INPUTS["epochs"]), model


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
    _, reference = _replay()
    state = observed.state("train")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after train_classifier()")
    gap = (state["weight"] - reference.weight.detach()).abs().max().item()
    expect(gap < 1e-5, f"after train_classifier() the weights differ by up to {gap:.2e} from the grader's own "
                       "training with nn.BCEWithLogitsLoss on the raw logits: no sigmoid before the loss")


@pytest.mark.points(3)
def test_train_classifier_loss_per_epoch(observed):
    """One step per batch and each epoch's BCE loss averaged over its samples, as floats."""
    record = observed.scenario("train", "train_classifier")
    epochs, n, size = INPUTS["epochs"], INPUTS["n"], INPUTS["batch_size"]
    losses = losses_of(record, "train_classifier", epochs)
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    steps, want_steps = count(record["events"], "step"), epochs * math.ceil(n / size)
    expect(steps == want_steps, f"train_classifier() took {steps} optimizer steps for {epochs} epochs of "
                                f"{n} samples in batches of {size}, expected {want_steps} (one per batch)")
    want, _ = _replay()
    expect_epoch_losses(losses, want, f"the mean over all {n} samples, each batch's loss counted "
                        f"len(batch) times (the last batch holds {n % size})")


@pytest.mark.points(3)
def test_predict_probabilities_and_labels(observed):
    """predict gives sigmoid probabilities in eval mode, without grad, on the CPU, and thresholded labels."""
    record = observed.scenario("predict", "predict")
    with torch.no_grad():
        want = torch.sigmoid(predict_model(INPUTS["seed"])[0](predict_inputs(INPUTS["seed"])))
    _expect_prediction(observed, record, "default", 0.5, want)
    _expect_prediction(observed, record, "threshold", INPUTS["predict_threshold"], want)


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
    x, y = plane(INPUTS["seed"])
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
           f"accuracy() returned {reported:.4f} for the trained model, but {measured:.4f} of the "
           f"{len(truth)} samples are labelled right: the fraction of predictions equal to the labels")
