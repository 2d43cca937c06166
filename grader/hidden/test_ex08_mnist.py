"""Hidden checks for exercise 8, MNIST: the grader measures test accuracy itself.

train_mnist only ever gets the training split; the parent loads the returned Linear weights into
its own Linear(784, 10) and scores them on the 10,000 test digits. No number the learner's code
reports is trusted.

Why these checks cannot be passed without the work: every grading draws a secret permutation of
the 784 pixels and of the 10 labels (``grader.grading.mnist_secret``); train_mnist gets the permuted
training digits as a file of their own (never a path near the test files), and the grader scores
the weights on the test digits under the same permutation. Weights trained beforehand (on real
MNIST or on another grading's permutation) classify about one digit in ten. Steps count only when
they reach the model the grader handed in, and a step with empty gradients is reported.
"""
from __future__ import annotations

import functools
import math

import pytest
import torch
from torch import nn

from grader import mnist
from grader.grading.mnist_secret import SecretPermutation, permuted_split, write_training_split
from grader.grading import replay
from grader.grading.device_judging import expect_moved_to_meta
from grader.harness.probes.ex08_mnist import FEW, evaluation_indices, evaluation_model, few_start
from grader.hidden.conftest import observe
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import CheckFailed, Observed, expect, expect_train_mode, losses_of
from grader.grading.loop_order import Position, count, order_problems

EXERCISE = "ex08"
TRAIN_SIZE = 60000


def draw(rng) -> dict:
    """The course's settings (5 epochs, batches of 64, lr 0.1); a fresh seed, evaluation sample and
    secret permutation (an odd ``eval_n``: never a whole number of batches)."""
    return {"epochs": 5, "batch_size": 64, "lr": 0.1, "seed": seed_in(rng),
            "eval_n": 2 * rng.randrange(500, 1000) + 1, "permutation_seed": seed_in(rng)}


INPUTS = inputs_for(EXERCISE, draw)
ALSO_RUN_ON = ("meta",)  # the device checks run the child on meta too: started ahead with the rest
PERMUTATION = SecretPermutation.drawn(INPUTS["permutation_seed"])
_TRAINING_FOLDER: list[str] = []  # written once per grading, on first use


def child_plan() -> tuple[dict, tuple[str, ...]]:
    """The child's inputs and the folder holding its permuted training digits (nothing else);
    raises MnistDataError without MNIST."""
    mnist.check()
    if not _TRAINING_FOLDER:
        _TRAINING_FOLDER.append(str(write_training_split(PERMUTATION)))
    folder = _TRAINING_FOLDER[0]
    child_inputs = {k: v for k, v in INPUTS.items() if k != "permutation_seed"}
    return {**child_inputs, "train_dir": folder}, (folder,)


@functools.cache
def _split(train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """One split under this grading's permutation, read and permuted once per grading (the suite
    is imported afresh by each one)."""
    return permuted_split(PERMUTATION, train)


class _Digits:
    """One split under this grading's permutation: float ``images`` [N, 1, 28, 28] and ``targets``."""

    def __init__(self, train: bool, indices: torch.Tensor | None = None) -> None:
        data, targets = _split(train)
        if indices is not None:
            data, targets = data[indices], targets[indices]
        self.images, self.targets = data.unsqueeze(1).to(torch.float32).div(255), targets


@pytest.fixture(scope="module")
def observed(request: pytest.FixtureRequest) -> Observed:
    """The child's observations, once MNIST is known to be prepared (else every check says how)."""
    return _observe(request)


def _observe(request: pytest.FixtureRequest, device: str | None = None) -> Observed:
    try:
        inputs, read_only = child_plan()
    except mnist.MnistDataError as error:
        raise CheckFailed(f"the grader needs MNIST and could not use it: {error}") from None
    return observe(request.config, EXERCISE, inputs, device=device, read_only=read_only)


def _replay_few(order: list[int]) -> tuple[list[float], nn.Module]:
    """The grader's own two epochs on the FEW digits, batch by batch in the order the learner's
    loop served them, from the same start: each epoch's per-sample mean loss and the model."""
    digits = _Digits(train=True, indices=torch.arange(FEW))
    model = few_start(INPUTS["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=INPUTS["lr"])
    size, losses = INPUTS["batch_size"], []
    for epoch in range(2):
        served = torch.tensor(order[epoch * FEW:(epoch + 1) * FEW])
        batches = [(digits.images[served[i:i + size]], digits.targets[served[i:i + size]]) for i in range(0, FEW, size)]
        losses += replay.train_epochs(model, nn.CrossEntropyLoss(), optimizer, batches, epochs=1)
    return losses, model


def _linear_weights(observed) -> tuple[torch.Tensor, torch.Tensor]:
    """The trained Linear(784, 10) weight and bias, whatever the model calls them."""
    state = observed.state("train")
    shapes = {name: list(t.shape) for name, t in state.items()}
    weights = [t for t in state.values() if list(t.shape) == [10, 784]]
    biases = [t for t in state.values() if list(t.shape) == [10]]
    expect(len(state) == 2 and len(weights) == 1 and len(biases) == 1,
           f"after train_mnist() the model's parameters are {shapes or 'unreadable'}, expected exactly "
           "one Linear(784, 10): a weight [10, 784] and a bias [10]")
    return weights[0], biases[0]


def _accuracy(weight: torch.Tensor, bias: torch.Tensor, dataset) -> float:
    """The fraction of ``dataset`` that the grader's own Linear(784, 10) with these weights gets right."""
    layer = nn.Linear(784, 10)
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
        logits = layer(dataset.images.flatten(1))
    return (logits.argmax(dim=1) == dataset.targets).float().mean().item()


@pytest.mark.points(2)
def test_build_model_is_a_linear_classifier(observed):
    """build_model returns Flatten + Linear(784, 10): 28x28 images in, 10 logits out."""
    record = observed.scenario("build_model", "build_model")
    expect("shapes" in record, f"build_model() returned a {record['type']}, expected an nn.Module")
    expect(sorted(record["shapes"]) == [[10], [10, 784]],
           f"build_model() has parameters of shapes {record['shapes']}, expected one Linear(784, 10): "
           "[10, 784] and [10]")
    expect(record["output_shape"] == [3, 10],
           f"build_model() maps 3 images [3, 1, 28, 28] to shape {record['output_shape']}, expected [3, 10]: "
           "flatten each image to 784 values first (nn.Flatten())")
    expect(not record.get("probabilities"),
           "build_model()'s outputs are probabilities (every row is non-negative and sums to 1: a Softmax at "
           "the end), expected 10 raw logits: end with the Linear layer, CrossEntropyLoss applies log_softmax "
           "itself")


@pytest.mark.points(3)
def test_train_mnist_steps_and_losses(observed):
    """One step per minibatch of 64 for 5 epochs, and each epoch's mean loss as a float, falling."""
    record = observed.scenario("train", "train_mnist")
    epochs, size = INPUTS["epochs"], INPUTS["batch_size"]
    losses = losses_of(record, "train_mnist", epochs)
    per_epoch = math.ceil(TRAIN_SIZE / size)
    steps = count(record["events"], "step")
    expect(steps == epochs * per_epoch,
           f"train_mnist() took {steps} optimizer steps, expected {epochs * per_epoch}: {epochs} epochs of "
           f"{per_epoch} minibatches ({TRAIN_SIZE} training digits in batches of {size})")
    order = record.get("order") or {}
    expect(not order.get("stored_order"), "train_mnist() served the training digits of epoch 1 in their stored "
           "order: shuffle them (DataLoader(..., shuffle=True, generator=...))")
    expect(not order.get("repeated"), "train_mnist() served the training digits in the same order in epochs 1 "
           "and 2: let the DataLoader shuffle every epoch (shuffling once before training is not enough)")
    problems = order_problems(record["events"], Position(per_epoch))
    expect(not problems, problems[0] if problems else "")
    expect(losses[-1] < losses[0] and all(0 < loss < 3 for loss in losses),
           f"train_mnist() returned the epoch losses {[round(x, 4) for x in losses]}: expected mean "
           "cross-entropy losses between 0 and 3 that fall from the first epoch to the last")


@pytest.mark.points(4)
def test_grader_measured_test_accuracy(observed):
    """The trained weights classify more than 90% of the 10,000 test digits right (grader's own count)."""
    observed.scenario("train", "train_mnist")
    weight, bias = _linear_weights(observed)
    measured = _accuracy(weight, bias, _Digits(train=False))
    expect(measured > 0.90,
           f"the grader loaded your trained weights into its own Linear(784, 10): they classify "
           f"{measured:.2%} of the 10,000 test digits right, expected more than 90% (5 epochs of SGD, "
           "lr 0.1, shuffled batches of 64, CrossEntropyLoss give about 92%; train the model passed in, "
           "on the training set passed in, on the images as given (not normalised: the grader scores your "
           "weights on images in [0, 1]); this grading's digits have their pixels and labels shuffled by a "
           "secret permutation, so weights trained anywhere else do not fit them)")


@pytest.mark.points(3)
def test_evaluate_counts_correct_predictions(observed):
    """evaluate returns the fraction of a labelled set the model gets right, as a float."""
    record = observed.scenario("evaluate", "evaluate")
    expect(record["accuracy"] is not None, f"evaluate() returned a {record['type']}, expected a Python float")
    subset = _Digits(train=True, indices=evaluation_indices(INPUTS))
    layer = evaluation_model(INPUTS["seed"])[1]
    want = _accuracy(layer.weight.detach(), layer.bias.detach(), subset)
    expect(abs(record["accuracy"] - want) < 1e-6,
           f"evaluate() returned {record['accuracy']:.4f} for a model whose accuracy on these "
           f"{INPUTS['eval_n']} digits the grader counted as {'higher' if want > record['accuracy'] else 'lower'}: "
           "count correct argmax predictions over all samples and divide by the number of samples "
           "(the last batch is smaller)")
    in_train = [e for e in record.get("events", []) if e["kind"] == "forward" and e["training"]]
    expect(not in_train, f"evaluate() ran {len(in_train)} forward passes in train mode (the model "
                                 "came in train mode): call model.eval() before evaluating")


@pytest.mark.points(3)
def test_train_mnist_on_a_few_digits(observed):
    """On a few digits from a known start: train mode, a seeded shuffle, and each epoch's per-sample
    mean loss and the weights as in the grader's own run of the batches the loop served."""
    first, again, other = observed.scenario("few_digits", "train_mnist")["runs"]
    expect_train_mode(first["events"], "train_mnist()")
    losses = losses_of(first, "train_mnist", 2)
    if len(first["order"]) != 2 * FEW:
        return  # the fetches were not seen (DataLoader workers): nothing to replay
    expect(first["order"] == again["order"], "two runs of train_mnist() with the same seed served the digits in "
           "different orders: let the seed decide the shuffle (DataLoader(..., shuffle=True, "
           "generator=torch.Generator().manual_seed(seed)))")
    expect(first["order"][:FEW] != other["order"][:FEW], "runs of train_mnist() with two different seeds served "
           "the digits in the same order: let the seed decide the shuffle")
    want, model = _replay_few(first["order"])
    size = INPUTS["batch_size"]
    for epoch, (got, expected) in enumerate(zip(losses, want), start=1):
        expect(abs(got - expected) < 1e-4,
               f"on {FEW} digits (batches of {size} and a last one of {FEW % size}), epoch {epoch}'s loss is "
               f"{got:.5f}, {abs(got - expected):.5f} away from the grader's own run of the batches your loop "
               f"served: the mean over all {FEW} digits, each batch's loss counted len(batch) times")
    weights = [t for t in observed.state("few_digits").values() if list(t.shape) == [10, 784]]
    gap = (weights[0] - model[1].weight.detach()).abs().max().item() if weights else None
    expect(gap is not None and gap < 1e-4, f"after two epochs on {FEW} digits the weights differ from the grader's "
           "own run of the same batches from the same start: one zero_grad, backward and step per batch, "
           "SGD with the lr passed in")


@pytest.mark.points(1)
def test_train_mnist_uses_the_device(request):
    """With device="meta", train_mnist moves the model and every batch there."""
    record = _observe(request, device="meta").scenario("few_on_meta", "train_mnist")
    expect_moved_to_meta(record, "train_mnist(..., device=meta)")

