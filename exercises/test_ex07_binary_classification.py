"""Visible tests for exercise 7: binary classification with logits.

``train_classifier`` runs under the grader's loop spy (see ``_diagnosis``), which records what
each loss call received (a sigmoid before it, the labels' shape and dtype) and the order of
zero_grad, backward and step.
"""
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from _reference import RECORDED, label_data, start_model


def _identity_model():
    """Linear(1, 1) with weight 1 and bias 0: the logit is x itself."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    return model


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_make_binary_labels_gives_float_column_of_y_above_threshold(ex, shape):
    y = torch.tensor([1.0, 5.0, 5.5, 9.0, -3.0, 7.0]).reshape(shape)
    labels = ex.make_binary_labels(y)
    assert tuple(labels.shape) == (6, 1), (
        f"labels for y of shape {list(shape)} have shape {list(labels.shape)}, expected [6, 1]")
    assert labels.dtype == torch.float32, (
        f"labels have dtype {labels.dtype}, expected torch.float32 (the BCE loss needs floats)")
    got = labels.flatten().tolist()
    assert got == [0.0, 0.0, 1.0, 1.0, 0.0, 1.0], (
        f"labels for y = [1, 5, 5.5, 9, -3, 7] are {got}, expected [0, 0, 1, 1, 0, 1] (y > 5)")


def test_make_binary_labels_uses_the_threshold(ex):
    got = ex.make_binary_labels(torch.tensor([1.0, 2.5, 4.0]), threshold=2.0).flatten().tolist()
    assert got == [0.0, 1.0, 1.0], (
        f"labels for y = [1, 2.5, 4] with threshold 2 are {got}, expected [0, 1, 1]")


def _train(ex, epochs, batch_size=4, device="cpu"):
    """train_classifier on the recorded labels from the recorded start, under the spy."""
    x, labels = label_data()
    model = start_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, labels), batch_size=batch_size)
    return watched(model, ex.train_classifier, model, loader, optimizer, epochs, device, optimizer=optimizer)


def test_train_classifier_applies_bce_with_logits_to_raw_logits(ex):
    for event in _train(ex, 1, batch_size=5).of("loss"):
        assert not event["sigmoid_before"], (
            f"{event['module']} received probabilities (a sigmoid was applied to the model's output before the "
            "loss): give BCEWithLogitsLoss the raw logits, it applies the sigmoid itself")
        assert event["module"] == "BCEWithLogitsLoss", (
            f"train_classifier used {event['module']}, expected nn.BCEWithLogitsLoss on the raw logits")
        assert event["target_shape"] == event["input_shape"] and event["target_dtype"] == "torch.float32", (
            f"BCEWithLogitsLoss got logits of shape {event['input_shape']} and labels of shape "
            f"{event['target_shape']} ({event['target_dtype']}), expected float32 labels shaped like the logits")


def test_train_classifier_returns_each_epochs_per_sample_mean_loss(ex, request):
    run = _train(ex, 3)
    losses, expected = run.returned, RECORDED["bce_batches_of_4_for_3_epochs"]["losses"]
    record_losses(request, losses, expected)
    problem = first_order_problem(run, steps_per_epoch=3)
    assert not problem, problem
    steps = run.count("step")
    assert steps == 9, (f"train_classifier() took {steps} optimizer steps for 3 epochs of 10 samples in batches "
                        "of 4, expected 9 (one per batch)")
    kinds = [type(loss).__name__ for loss in losses]
    assert all(isinstance(loss, float) for loss in losses), (
        f"train_classifier returned {kinds}, expected Python floats")
    assert len(losses) == 3, (
        f"train_classifier returned {len(losses)} losses for 3 epochs, expected 3")
    for epoch, (got, want) in enumerate(zip(losses, expected), start=1):
        assert abs(got - want) < 1e-5, (
            f"epoch {epoch} loss is {got:.5f}, {abs(got - want):.5f} away from the reference loop's: BCEWithLogitsLoss averaged "
            "over all 10 samples, each batch's loss counted len(batch) times (batches of 4, 4, 2)")


def test_predict_returns_eval_mode_probabilities_on_cpu(ex):
    x = label_data()[0][:8]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Dropout(0.5))  # Dropout makes train mode visible
    with torch.no_grad():
        expected = torch.sigmoid(model[0](x))
    probabilities, _ = ex.predict(model, x)
    shape, where = list(probabilities.shape), probabilities.device
    assert shape == [8, 1], f"probabilities have shape {shape}, expected [8, 1]"
    assert where.type == "cpu", f"probabilities are on {where}, expected cpu"
    assert not probabilities.requires_grad, (
        "probabilities require grad, expected none: compute them under torch.no_grad()")
    worst = (probabilities - expected).abs().max().item()
    assert worst < 1e-6, (
        f"probabilities differ from sigmoid(logits) in eval mode by up to {worst:.3f}, expected 0: "
        "call model.eval() (this model has Dropout) and apply torch.sigmoid to the logits")


def test_predict_labels_are_floats_above_the_threshold(ex):
    x = torch.tensor([[-2.0], [-0.5], [0.5]])
    _, predicted = ex.predict(_identity_model(), x, threshold=0.3)
    assert predicted.dtype == torch.float32, (
        f"predicted labels have dtype {predicted.dtype}, expected torch.float32")
    got = predicted.flatten().tolist()
    assert got == [0.0, 1.0, 1.0], (
        f"with probabilities 0.12, 0.38, 0.62 and threshold 0.3, predict labelled {got}, "
        "expected [0, 1, 1]")


def test_accuracy_is_the_fraction_of_correct_labels(ex):
    x = torch.tensor([[-1.0], [2.0], [3.0], [-4.0]])
    got = ex.accuracy(_identity_model(), x, torch.tensor([[0.0], [1.0], [0.0], [0.0]]))
    assert isinstance(got, float), (
        f"accuracy returned a {type(got).__name__}, expected a Python float")
    assert abs(got - 0.75) < 1e-6, (
        f"accuracy is {got}, expected 0.75 (3 of the 4 predicted labels match the given labels)")


def test_fit_binary_plane_classifies_validation_samples(ex):
    result = ex.fit_binary_plane(seed=0)
    first, last = result["train_losses"][0], result["train_losses"][-1]
    assert last < first / 2, (
        f"training loss went from {first:.3f} to {last:.3f}, expected it to fall by half or more")
    assert result["val_accuracy"] >= 0.95, (
        f"validation accuracy {result['val_accuracy']:.3f}, expected >= 0.95")


def test_train_classifier_and_predict_use_the_device(ex):
    """On the "meta" device tensors have shapes but no values: a tensor left on the CPU shows up as a
    device mismatch; reading a number (.item()) from meta is impossible and accepted here."""
    try:
        run = _train(ex, 1, device="meta")
    except (RuntimeError, NotImplementedError) as error:
        if "expected device" in str(error) or "same device" in str(error):
            pytest.fail(f"train_classifier(..., device=meta) raised '{error}': a tensor stayed on the CPU; use "
                        "the device argument, model.to(device) and .to(device) on inputs and targets",
                        pytrace=False)
        if "meta" not in str(error):
            raise
    else:
        devices = sorted({event["input_device"] for event in run.of("forward")})
        assert devices == ["meta"], (f"train_classifier(..., device=meta) fed the model batches on {devices}: "
                                     "use the device argument, model.to(device) and .to(device) on inputs and targets")
    x, _ = label_data()
    try:
        probabilities, labels = ex.predict(start_model(), x, device="meta")
    except (RuntimeError, NotImplementedError) as error:
        assert "Cannot copy out of meta tensor" in str(error), (
            f"predict(..., device=meta) raised {error}: move the model and x to the device, and hand the "
            "probabilities and labels back with .cpu()")
        return
    devices = sorted({str(probabilities.device), str(labels.device)})
    assert "meta" not in devices, (
        f"predict(..., device=meta) returned tensors on {', '.join(devices)}: move the model and x to the "
        "device, and hand the probabilities and labels back with .cpu()")
