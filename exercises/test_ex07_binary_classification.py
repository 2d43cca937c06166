"""Visible tests for exercise 7: binary classification with logits."""
import pytest
import torch
from torch import nn
from torch.nn import functional
from torch.utils.data import DataLoader, TensorDataset

from _reference import RECORDED, label_data, start_model

_VIEWS = ("View", "Squeeze", "Reshape", "Unsqueeze", "Clone")


def _identity_model():
    """Linear(1, 1) with weight 1 and bias 0: the logit is x itself."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    return model


def _first_real_op(tensor):
    """The name of the op that made ``tensor``, looking through reshapes."""
    node = tensor.grad_fn
    while node is not None and any(view in type(node).__name__ for view in _VIEWS):
        node = node.next_functions[0][0]
    return type(node).__name__ if node is not None else "no operation"


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


def test_train_classifier_applies_bce_with_logits_to_raw_logits(ex, monkeypatch):
    seen = []
    original = functional.binary_cross_entropy_with_logits

    def spy(logits, target, *args, **kwargs):
        seen.append(_first_real_op(logits))
        return original(logits, target, *args, **kwargs)

    monkeypatch.setattr(functional, "binary_cross_entropy_with_logits", spy)
    x, labels = label_data()
    model = start_model()
    ex.train_classifier(model, DataLoader(TensorDataset(x, labels), batch_size=5),
                        torch.optim.SGD(model.parameters(), lr=0.1), 1)
    assert seen, "train_classifier never called nn.BCEWithLogitsLoss(); expected it once per batch"
    assert "Sigmoid" not in seen[0], (
        "BCEWithLogitsLoss received probabilities (the output of a sigmoid): give it the model's "
        "raw logits, it applies the sigmoid itself")


def test_train_classifier_returns_each_epochs_per_sample_mean_loss(ex):
    x, labels = label_data()
    model = start_model()
    losses = ex.train_classifier(model, DataLoader(TensorDataset(x, labels), batch_size=4),
                                 torch.optim.SGD(model.parameters(), lr=0.1), 3)
    expected = RECORDED["bce_batches_of_4_for_3_epochs"]["losses"]
    kinds = [type(loss).__name__ for loss in losses]
    assert all(isinstance(loss, float) for loss in losses), (
        f"train_classifier returned {kinds}, expected Python floats")
    assert len(losses) == 3, (
        f"train_classifier returned {len(losses)} losses for 3 epochs, expected 3")
    for epoch, (got, want) in enumerate(zip(losses, expected), start=1):
        assert abs(got - want) < 1e-5, (
            f"epoch {epoch} loss is {got:.5f}, expected {want:.5f}: BCEWithLogitsLoss averaged "
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
