"""Visible tests for exercise 8: MNIST with a linear model.

Without MNIST the tests that need it fail (never skip) and say which command prepares it.
"""
import math

import pytest
import torch
from torch import nn
from torch.utils.data import Subset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from grader.digits import Digits
from grader.mnist import InMemoryMNIST, MnistDataError


@pytest.fixture(scope="module")
def mnist():
    """(train, test) as InMemoryMNIST; a failure that names the set-up command when MNIST is not prepared."""
    try:
        return InMemoryMNIST(train=True), InMemoryMNIST(train=False)
    except MnistDataError as error:
        pytest.fail(f"exercise 8 trains on MNIST, which is not ready here: {error}", pytrace=False)


def _accuracy(model, dataset):
    """The share of dataset's digits whose highest score is the right class, computed here."""
    model.eval()
    with torch.no_grad():
        return (model(dataset.images).argmax(dim=1) == dataset.targets).sum().item() / len(dataset)


def test_build_model_gives_10_scores_per_image(ex):
    model = ex.build_model()
    scores = model(torch.zeros(5, 1, 28, 28))
    assert tuple(scores.shape) == (5, 10), (
        f"build_model()(batch of 5 images [5, 1, 28, 28]) has shape {tuple(scores.shape)}, "
        "expected (5, 10): Flatten first, then Linear(784, 10)")
    count = sum(p.numel() for p in model.parameters())
    assert count == 7850, f"the model has {count} parameters, expected 7850 (784 * 10 weights + 10 biases)"
    rows = scores.detach()
    probabilities = bool((rows >= 0).all() and torch.allclose(rows.sum(dim=1), torch.ones(5), atol=1e-4))
    assert not probabilities, (
        "build_model()'s outputs are probabilities (every row is non-negative and sums to 1: a Softmax at "
        "the end), expected 10 raw logits: end with the Linear layer, CrossEntropyLoss applies log_softmax "
        "itself")


def test_train_mnist_shuffles_every_epoch_and_steps_once_per_batch(ex, mnist):
    train, _ = mnist
    digits = Digits(train.data[:640], train.targets[:640])
    served = digits.record_fetches()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    run = watched(model, ex.train_mnist, model, digits, epochs=2, batch_size=64)
    per_epoch = math.ceil(640 / 64)
    steps = run.count("step")
    assert steps == 2 * per_epoch, (
        f"train_mnist() took {steps} optimizer steps, expected {2 * per_epoch}: 2 epochs of {per_epoch} "
        "minibatches (640 training digits in batches of 64)")
    first, second = served[:640], served[640:1280]
    assert first != list(range(640)), (
        "train_mnist() served the training digits of epoch 1 in their stored order: shuffle them "
        "(DataLoader(..., shuffle=True, generator=...))")
    assert first != second, (
        "train_mnist() served the training digits in the same order in epochs 1 and 2: let the DataLoader "
        "shuffle every epoch (shuffling once before training is not enough)")
    problem = first_order_problem(run, steps_per_epoch=per_epoch)
    assert not problem, problem


def test_train_mnist_learns_digits_in_one_epoch(ex, mnist, request):
    train, test = mnist
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    losses = ex.train_mnist(model, Subset(train, range(12000)), epochs=1)
    record_losses(request, losses if isinstance(losses, list) else [])
    assert isinstance(losses, list) and len(losses) == 1 and isinstance(losses[0], float), (
        f"train_mnist(..., epochs=1) returned {losses!r}, expected a list of one float")
    accuracy = _accuracy(model, test)
    assert accuracy > 0.85, (
        f"after 1 epoch on 12000 digits, accuracy on the 10000 test digits is {accuracy:.3f}, expected "
        "above 0.85 (CrossEntropyLoss, SGD(lr), shuffled batches of batch_size)")


def test_train_mnist_averages_the_loss_over_samples(ex, mnist):
    train, _ = mnist
    subset = Subset(train, range(1000))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with torch.no_grad():
        expected = nn.functional.cross_entropy(model(train.images[:1000]), train.targets[:1000]).item()
    got = ex.train_mnist(model, subset, epochs=1, batch_size=999, lr=0.0)[0]
    assert abs(got - expected) < 1e-4, (
        f"with lr=0 on 1000 digits in batches of 999 and 1, the epoch loss is {got:.5f}, expected "
        f"{expected:.5f}: the mean over all samples (weight each batch's loss by its size)")


def test_evaluate_returns_the_fraction_answered_correctly(ex, mnist):
    _, test = mnist
    always_three = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with torch.no_grad():
        always_three[1].weight.zero_()
        always_three[1].bias.copy_(torch.eye(10)[3])
    subset = Subset(test, range(1999))
    expected = (test.targets[:1999] == 3).float().mean().item()
    got = ex.evaluate(always_three, subset)
    assert isinstance(got, float), f"evaluate() returned a {type(got).__name__}, expected a Python float"
    assert abs(got - expected) < 1e-6, (
        f"evaluate() of a model that always answers 3 returned {got}, {abs(got - expected):.4f} away from "
        "the share of 3s among these 1999 digits (a fraction in [0, 1], not a percentage; count correct "
        "predictions over all samples and divide by the number of samples: the last batch is smaller)")
