"""Kit tests: exercise 8's reference solution reaches the course's MNIST result.

The recipe is Flatten + Linear(784, 10), CrossEntropyLoss, SGD(lr=0.1), 5 epochs of shuffled
batches of 64 on the 60,000 training digits; the accuracy is measured here, not by `evaluate`.
Without prepared MNIST these tests skip, except under CI, where they fail.
"""
from __future__ import annotations


import pytest
import torch
from torch.utils.data import Subset

from data_support import data_missing
from grader.mnist import InMemoryMNIST, MnistDataError


@pytest.fixture(scope="module")
def mnist():
    try:
        return InMemoryMNIST(train=True), InMemoryMNIST(train=False)
    except MnistDataError as error:
        data_missing(str(error))


@pytest.fixture
def ex08(load_solution):
    return load_solution("ex08_mnist")


def _accuracy(model, test) -> float:
    model.eval()
    with torch.no_grad():
        return (model(test.images).argmax(dim=1) == test.targets).sum().item() / len(test)


def test_seed_mnist_linear_model_reaches_90_percent_in_5_epochs(ex08, mnist):
    train, test = mnist
    torch.manual_seed(0)
    model = ex08.build_model()
    losses = ex08.train_mnist(model, train, epochs=5, batch_size=64, lr=0.1, seed=0)
    accuracy = _accuracy(model, test)
    assert accuracy > 0.90, f"test accuracy {accuracy:.4f} after 5 epochs, expected above 0.90"
    assert len(losses) == 5 and losses[-1] < losses[0], f"epoch losses {losses}: 5, falling"
    assert abs(ex08.evaluate(model, test) - accuracy) < 1e-9, "evaluate() disagrees with argmax accuracy"


def test_canonical_loop_on_torchvision_learns_like_the_fast_path(ex08, mnist):
    from torchvision import datasets, transforms

    train, test = mnist
    reference = datasets.MNIST(str(train.root), train=True, transform=transforms.ToTensor())
    results = {}
    for name, train_mnist, dataset in [("fast", ex08.train_mnist, train),
                                       ("canonical", ex08.train_mnist_canonical, reference)]:
        torch.manual_seed(0)
        model = ex08.build_model()
        losses = train_mnist(model, Subset(dataset, range(5000)), epochs=1)
        results[name] = (losses[0], _accuracy(model, test))
    for name, (loss, accuracy) in results.items():
        assert accuracy > 0.80, f"{name}: accuracy {accuracy:.3f} after 1 epoch on 5000, expected > 0.80"
    (fast_loss, _), (canonical_loss, _) = results["fast"], results["canonical"]
    assert abs(fast_loss - canonical_loss) < 0.05, f"epoch losses differ: {results}"
