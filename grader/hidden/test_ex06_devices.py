"""Hidden checks for exercise 6, device handling: the device argument is honoured for model and data.

On a CPU-only machine the "meta" device stands in for a GPU: a second child runs train_on_device
with device=meta, where any tensor left on the CPU raises a device error.

Why these checks cannot be passed without the work: every grading draws its own regression data
(sample count, feature count, true weights, bias, noise), batch size, start weights, learning rate
and epoch count (``draw``), keeping only draws where the mean of the batch means is clearly off the
sample mean; the losses and weights are compared with the grader's own CPU replay of the same run,
and the device checks read where the weights and batches really were when the model ran, on meta
where nothing left on the CPU can pass. Messages give the learner's own losses and the size of the
gap, never the replay's values.
"""
from __future__ import annotations

import random

import pytest
import torch
from torch import nn

from grader.grading import replay
from grader.harness import datasets
from grader.harness.probes.ex06_devices import PRETENDED, make_data
from grader.grading.device_judging import expect_moved_to_meta
from grader.hidden.conftest import observe
from grader.hidden.draw import inputs_for, seed_in
from grader.grading.judging import expect, expect_train_mode, losses_of
from grader.grading.loop_order import order_problems

EXERCISE = "ex06"


def draw(rng: random.Random) -> dict:
    """20-60 samples of 2-5 features in batches of 4-10 (a short last one), 2-6 epochs, lr 0.01-0.1."""
    while True:
        inputs = _draw_once(rng)
        sample_means, batch_means = _mean_losses(inputs)
        if abs(sample_means[0] - batch_means[0]) > 1e-3:
            return inputs


def _draw_once(rng: random.Random) -> dict:
    features, size = rng.randrange(2, 6), rng.randrange(4, 11)
    n = rng.randrange(20, 61)
    while n % size == 0:
        n = rng.randrange(20, 61)
    return {"n": n, "features": features, "batch_size": size, "epochs": rng.randrange(2, 7),
            "lr": round(rng.uniform(0.01, 0.1), 3), "seed": seed_in(rng),
            "weights": [round(rng.choice((-1, 1)) * rng.uniform(0.3, 1.5), 3) for _ in range(features)],
            "bias": round(rng.uniform(-2.0, 2.0), 3), "noise": round(rng.uniform(0.05, 0.3), 3)}


def _mean_losses(inputs: dict) -> tuple[list[float], list[float]]:
    """The grader's own CPU run: each epoch's loss as the sample mean and as the mean of batch means."""
    x, y = make_data(inputs)
    model = datasets.seeded_linear(inputs["features"], 1, inputs["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=inputs["lr"])
    batches = replay.batches_of(x, y, inputs["batch_size"])
    return replay.epoch_means(model, nn.MSELoss(), optimizer, batches, inputs["epochs"])


INPUTS = inputs_for(EXERCISE, draw)
ALSO_RUN_ON = ("meta",)  # the device checks run the child on meta too: started ahead with the rest


def _reference() -> tuple[list[float], nn.Linear]:
    """The parent's own CPU run: per-sample mean loss per epoch and the final weights."""
    x, y = make_data(INPUTS)
    model = datasets.seeded_linear(INPUTS["features"], 1, INPUTS["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=INPUTS["lr"])
    batches = replay.batches_of(x, y, INPUTS["batch_size"])
    return replay.train_epochs(model, nn.MSELoss(), optimizer, batches, INPUTS["epochs"]), model


def _expect_losses(got: list[float], tolerance: float, where: str) -> None:
    """Each epoch's loss equals the replay's; a failure gives the learner's loss and the gap only."""
    want, batch_means = _mean_losses(INPUTS)
    n, size = INPUTS["n"], INPUTS["batch_size"]
    for epoch, (value, expected, mistaken) in enumerate(zip(got, want, batch_means), start=1):
        what = " (that is the mean of the batch means)" if abs(value - mistaken) < tolerance else ""
        expect(abs(value - expected) < tolerance,
               f"{where}, epoch {epoch} loss is {value:.5f}{what}, {abs(value - expected):.5f} away from the "
               f"grader's own run: the mean over all {n} samples (batches of {size} and a last one of "
               f"{n % size}), each batch's loss counted len(batch) times")


def _trained(observed) -> dict:
    record = observed.scenario("train", "train_on_device")
    expect(record["raised"] is None, f"calling train_on_device() raised {record['raised']}")
    return record


def _expect_matches_reference(observed, record: dict, tolerance: float, where: str) -> None:
    _expect_losses(losses_of(record, "train_on_device", INPUTS["epochs"]), tolerance, where)
    _, reference = _reference()
    state = observed.state("train")
    expect(set(state) == {"weight", "bias"}, "the grader could not read the weights after train_on_device()")
    gap = (state["weight"] - reference.weight.detach()).abs().max().item()
    expect(gap <= tolerance, f"{where}, the weights differ from the grader's own run of the same "
                             f"{INPUTS['epochs']} epochs by up to {gap:.2e}: one zero_grad, backward "
                             "and step per batch")


@pytest.mark.points(2)
def test_pick_device_honours_the_request(observed):
    """pick_device("cpu") is the CPU, and "auto" prefers cuda, then mps, then cpu."""
    record = observed.scenario("pick_device", "pick_device")
    expect(record["cpu"] == "cpu", f"pick_device('cpu') returned {record['cpu']}, expected torch.device('cpu')")
    cuda, mps = record["available"]
    want = "cuda" if cuda else "mps" if mps else "cpu"
    expect(record["auto"] == want,
           f"on the grading machine (cuda available: {cuda}, mps available: {mps}) pick_device('auto') "
           f"returned {record['auto']}, expected torch.device('{want}')")
    for (cuda, mps), got in zip(PRETENDED, record["pretended"]):
        want = "cuda" if cuda else "mps" if mps else "cpu"
        expect(got == want, f"when the grader pretended a machine where torch.cuda.is_available() is {cuda} "
                            f"and torch.backends.mps.is_available() is {mps}, pick_device('auto') returned "
                            f"{got}, expected torch.device('{want}')")


@pytest.mark.points(1)
def test_pick_device_refuses_a_device_that_is_not_there(observed):
    """pick_device("cuda") or ("mps") raises ValueError where that device is missing, and returns it where it is there."""
    record = observed.scenario("pick_device", "pick_device")
    for name, did in record["refused"].items():
        expect(did == "ValueError", f"when the grader pretended a machine without {name}, pick_device('{name}') "
                                    f"{did}: raise ValueError when the device asked for is not available")
    for name, got in record["granted"].items():
        expect(got == name, f"when the grader pretended a machine with {name}, pick_device('{name}') returned "
                            f"{got}, expected torch.device('{name}')")


@pytest.mark.points(2)
def test_move_batch_moves_every_tensor(observed):
    """move_batch moves each tensor of a batch to the device, in order, unchanged otherwise."""
    record = observed.scenario("move_batch", "move_batch")
    n, features = INPUTS["batch_size"], INPUTS["features"]
    expect(record["type"] in ("tuple", "list"),
           f"move_batch() returned a {record['type']}, expected a tuple of tensors")
    expect(record["devices"] == ["meta"] * 3,
           f"move_batch(batch of 3 tensors, device=meta) gave {record['devices']}, expected 3 tensors on "
           "meta: call .to(device) on every tensor of the batch")
    shapes, dtypes = record["shapes"], record["dtypes"]
    expect(shapes == [[n, features], [n, 1], [n]] and dtypes == ["torch.float32", "torch.float32", "torch.int64"],
           f"move_batch() changed the batch: shapes {shapes}, dtypes {dtypes}; expected shapes "
           f"[[{n}, {features}], [{n}, 1], [{n}]] and dtypes float32, float32, int64, in that order")


@pytest.mark.points(3)
def test_train_on_device_loss_and_weights(observed, device):
    """train_on_device trains like a plain loop, in train mode, and returns each epoch's per-sample mean loss."""
    record = _trained(observed)
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    expect_train_mode(record["events"], "train_on_device()")
    tolerance = 1e-4 if device == "cuda" else 1e-5
    _expect_matches_reference(observed, record, tolerance, f"on {device}")


@pytest.mark.points(4)
def test_model_and_batches_moved_to_the_device(request):
    """With device="meta", the model's weights and every batch end up on that device."""
    record = observe(request.config, EXERCISE, INPUTS, device="meta").scenario("train", "train_on_device")
    expect_moved_to_meta(record, "train_on_device(device=meta)")


@pytest.mark.cuda
@pytest.mark.points(3)
def test_trains_on_cuda(observed, device):
    """On a real GPU the model and the batches live on CUDA and the losses match the CPU's."""
    if device != "cuda":
        pytest.skip("needs --device cuda and a GPU")
    record = _trained(observed)
    devices = record["param_devices"]
    inputs = sorted({e["input_device"] for e in record["events"] if e["kind"] == "forward"})
    expect(all(d.startswith("cuda") for d in devices) and all(d.startswith("cuda") for d in inputs),
           f"with device=cuda the weights ended on {devices} and the batches were on {inputs}, "
           "expected cuda for both")
    _expect_matches_reference(observed, record, 1e-4, "on cuda")
