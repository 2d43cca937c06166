"""Visible tests for exercise 6: device handling."""
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from _reference import RECORDED, line_data, start_model

META = torch.device("meta")


def _availability(monkeypatch, cuda, mps):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


def _train(ex, model, x, y, batch_size, epochs, device):
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return ex.train_on_device(model, nn.MSELoss(), optimizer, loader, epochs, device)


def test_pick_device_honours_cpu(ex):
    device = ex.pick_device("cpu")
    assert device == torch.device("cpu"), (
        f"pick_device('cpu') returned {device!r}, expected device('cpu')")


@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"),
                                                 (False, False, "cpu")])
def test_pick_device_auto_prefers_cuda_then_mps_then_cpu(ex, monkeypatch, cuda, mps, expected):
    _availability(monkeypatch, cuda, mps)
    device = ex.pick_device("auto")
    assert device == torch.device(expected), (
        f"with torch.cuda.is_available()={cuda} and torch.backends.mps.is_available()={mps}, "
        f"pick_device('auto') returned {device!r}, expected device('{expected}')")


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_pick_device_refuses_a_missing_device(ex, monkeypatch, name):
    _availability(monkeypatch, cuda=False, mps=False)
    try:
        device = ex.pick_device(name)
    except ValueError:
        return
    pytest.fail(f"with no {name} on this machine, pick_device('{name}') returned {device!r}; "
                "expected it to raise ValueError saying the device is not available",
                pytrace=False)


def test_move_batch_moves_every_tensor(ex):
    batch = (torch.ones(4, 2), torch.zeros(4, 1), torch.arange(4))
    moved = ex.move_batch(batch, META)
    devices = [str(tensor.device) for tensor in moved]
    assert devices == ["meta"] * 3, (
        f"move_batch to meta gave tensors on {devices}, expected ['meta', 'meta', 'meta']")
    shapes = [tuple(tensor.shape) for tensor in moved]
    assert shapes == [(4, 2), (4, 1), (4,)], (
        f"move_batch changed the shapes to {shapes}, expected [(4, 2), (4, 1), (4,)]")


def test_train_on_device_returns_each_epochs_per_sample_mean_loss(ex, request):
    x, y = line_data()
    model = start_model()
    run = watched(model, _train, ex, model, x, y, batch_size=4, epochs=3, device=torch.device("cpu"))
    losses, expected = run.returned, RECORDED["mse_batches_of_4_for_3_epochs"]["losses"]
    record_losses(request, losses, expected)
    problem = first_order_problem(run, steps_per_epoch=3)
    assert not problem, problem
    assert len(losses) == 3, (
        f"train_on_device returned {len(losses)} losses for 3 epochs, expected 3")
    kinds = [type(loss).__name__ for loss in losses]
    assert all(isinstance(loss, float) for loss in losses), (
        f"train_on_device returned {kinds}, expected Python floats")
    for epoch, (got, want) in enumerate(zip(losses, expected), start=1):
        assert abs(got - want) < 1e-5, (
            f"epoch {epoch} loss is {got:.5f}, {abs(got - want):.5f} away from the reference loop's: the mean over all 10 samples, "
            "so each batch's loss counts len(batch) times (batches of 4, 4 and 2 here)")


def test_train_on_device_puts_the_model_in_training_mode(ex):
    x, y = line_data()
    model = start_model()
    model.eval()
    _train(ex, model, x, y, batch_size=5, epochs=1, device="cpu")
    assert model.training, "after train_on_device the model is in eval mode, expected training mode"


def test_train_on_device_moves_model_and_every_batch(ex):
    """On the 'meta' device tensors have shapes but no values, so a tensor left on the CPU shows
    up as a device mismatch. Reading a number (.item()) from meta is impossible: that error is
    expected here and accepted."""
    x, y = line_data()
    model = start_model()
    try:
        _train(ex, model, x, y, batch_size=5, epochs=1, device=META)
    except (RuntimeError, NotImplementedError) as error:
        message = str(error)
        if "expected device" in message or "same device" in message:
            pytest.fail(f"train_on_device(device=meta) raised '{message}': a tensor stayed on the "
                        "CPU; move the model and every batch (inputs and targets) to the device",
                        pytrace=False)
        if "meta" not in message:  # not the expected "cannot read a meta tensor" error
            raise
    devices = sorted({str(p.device) for p in model.parameters()})
    assert devices == ["meta"], (
        f"after train_on_device(device=meta) the parameters are on {devices}, expected ['meta']")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
def test_train_on_device_trains_on_cuda_like_on_cpu(ex):
    x, y = line_data()
    model = start_model()
    losses = _train(ex, model, x, y, batch_size=4, epochs=3, device=torch.device("cuda"))
    expected = RECORDED["mse_batches_of_4_for_3_epochs"]["losses"]
    assert model.weight.is_cuda, (
        f"after train_on_device(device=cuda) the weight is on {model.weight.device}, expected cuda")
    worst = max(abs(got - want) for got, want in zip(losses, expected))
    assert worst < 1e-4, (
        f"CUDA losses {losses} differ from the recorded CPU ones {expected} by up to {worst:.2e}, "
        "expected < 1e-4")
