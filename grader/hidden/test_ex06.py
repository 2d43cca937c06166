"""Hidden checks for exercise 6, device handling: the device argument is honoured for model and data.

On a CPU-only machine the "meta" device stands in for a GPU: a second child runs train_on_device
with device=meta, where any tensor left on the CPU raises a device error.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn

from grader import replay
from grader.harness import datasets
from grader.harness.probes.ex06 import PRETENDED, make_data
from grader.hidden.conftest import observe
from grader.judging import expect, expect_epoch_losses, losses_of
from grader.loop_order import order_problems

EXERCISE = "ex06"
INPUTS = {"n": 27, "features": 3, "batch_size": 6, "epochs": 4, "lr": 0.05, "seed": 23}
_DEVICE_ERRORS = ("expected device", "same device")


def _reference() -> tuple[list[float], nn.Linear]:
    """The parent's own CPU run: per-sample mean loss per epoch and the final weights."""
    x, y = make_data(INPUTS)
    model = datasets.seeded_linear(INPUTS["features"], 1, INPUTS["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=INPUTS["lr"])
    batches = replay.batches_of(x, y, INPUTS["batch_size"])
    return replay.train_epochs(model, nn.MSELoss(), optimizer, batches, INPUTS["epochs"]), model


def _trained(observed) -> dict:
    record = observed.scenario("train", "train_on_device")
    expect(record["raised"] is None, f"calling train_on_device() raised {record['raised']}")
    return record


def _expect_matches_reference(observed, record: dict, tolerance: float, where: str) -> None:
    losses = losses_of(record, "train_on_device", INPUTS["epochs"])
    want, reference = _reference()
    expect_epoch_losses(losses, want, f"the mean over all {INPUTS['n']} samples (batches of "
                        f"{INPUTS['batch_size']} and a last one of {INPUTS['n'] % INPUTS['batch_size']}), "
                        "each batch's loss counted len(batch) times", f"{where}, ", tolerance)
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
        expect(got == want, f"with torch.cuda.is_available()={cuda} and torch.backends.mps.is_available()"
                            f"={mps}, pick_device('auto') returned {got}, expected torch.device('{want}')")


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
    """train_on_device trains like a plain loop and returns each epoch's per-sample mean loss."""
    record = _trained(observed)
    problems = order_problems(record["events"])
    expect(not problems, problems[0] if problems else "")
    tolerance = 1e-4 if device == "cuda" else 1e-5
    _expect_matches_reference(observed, record, tolerance, f"on {device}")


@pytest.mark.points(4)
def test_model_and_batches_moved_to_the_device(request):
    """With device="meta", the model's weights and every batch end up on that device."""
    record = observe(request.config, EXERCISE, INPUTS, device="meta").scenario("train", "train_on_device")
    raised = record["raised"] or ""
    forwards = [e for e in record["events"] if e["kind"] == "forward" and e["input_device"] and e["param_device"]]
    expect(forwards or raised, "train_on_device(device=meta) never called the model")
    problem = _mixed_devices(forwards) or _device_error(raised, record["events"])
    expect(problem is None, problem or "")
    expect(not raised or "meta" in raised, f"calling train_on_device(device=meta) raised {raised}")
    devices, inputs = record["param_devices"], sorted({e["input_device"] for e in forwards})
    expect(devices == ["meta"] and inputs == ["meta"],
           f"train_on_device(device=meta) left the weights on {', '.join(devices)} and fed the model "
           f"batches on {', '.join(inputs) or 'nothing'}: use the device argument, model.to(device) "
           "and .to(device) on inputs and targets")


def _mixed_devices(forwards: list[dict]) -> str | None:
    """What was left behind when a forward met a batch and weights on different devices."""
    mixed = next((e for e in forwards if e["input_device"] != e["param_device"]), None)
    if mixed is None:
        return None
    if mixed["param_device"] == "meta":
        return ("the batches were not moved to the device: call .to(device) on inputs and targets "
                f"(with device=meta, a batch on {mixed['input_device']} met weights on meta)")
    return ("the model was not moved to the device: call model.to(device) (with device=meta, a batch "
            f"on {mixed['input_device']} met weights on {mixed['param_device']})")


def _device_error(raised: str, events: list[dict]) -> str | None:
    """A device-mismatch error: raised inside the loss means the targets stayed behind."""
    if not any(text in raised for text in _DEVICE_ERRORS):
        return None
    what = "targets" if events and events[-1]["kind"] == "loss" else "batches"
    return (f"the {what} were not moved to the device: call .to(device) on inputs and targets "
            f"(with device=meta, train_on_device raised {raised})")


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
