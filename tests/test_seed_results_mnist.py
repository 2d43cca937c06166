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


def test_the_reference_loop_learns_alike_on_looplabs_dataset_and_on_torchvisions(ex08, mnist):
    from torchvision import datasets, transforms

    train, test = mnist
    reference = datasets.MNIST(str(train.root), train=True, transform=transforms.ToTensor())
    results = {}
    for name, dataset in [("looplab", train), ("torchvision", reference)]:
        torch.manual_seed(0)
        model = ex08.build_model()
        losses = ex08.train_mnist(model, Subset(dataset, range(5000)), epochs=1)
        results[name] = (losses[0], _accuracy(model, test), model.state_dict())
    for name, (loss, accuracy, _) in results.items():
        assert accuracy > 0.80, f"{name}: accuracy {accuracy:.3f} after 1 epoch on 5000, expected > 0.80"
    (ours, _, our_state), (theirs, _, their_state) = results["looplab"], results["torchvision"]
    assert abs(ours - theirs) < 1e-5, f"epoch losses differ: {results}"
    assert all(torch.allclose(our_state[k], their_state[k], atol=1e-5) for k in our_state)


def test_batched_fetch_serves_the_same_items_as_one_by_one(mnist):
    train, _ = mnist
    indices = [5, 59999, 0, 123, 5]
    batched = train.__getitems__(indices)
    for index, (image, label) in zip(indices, batched):
        single_image, single_label = train[index]
        assert torch.equal(image, single_image) and label == single_label and type(label) is int
        assert image.data_ptr() != train.images[index].data_ptr(), "items must be copies"
