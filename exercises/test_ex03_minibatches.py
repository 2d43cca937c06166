"""Visible tests for exercise 3: minibatches and DataLoader.

``train_epochs`` runs under the grader's loop spy (see ``_diagnosis``): a wrong order of
zero_grad, backward and step is named before its effect on the weights.
"""
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from _reference import RECORDED, line_data, start_model, weights_of


class _ModeRecorder(nn.Module):
    """Linear(1, 1) that records, for every forward, whether it ran in train mode."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return self.linear(x)


def _line(n, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=generator) * 2 - 1
    return x, 2 * x + 1 + 0.1 * torch.randn(n, 1, generator=generator)


def _order(loader):
    """The sample indices of one pass over a loader built on x = 0, 1, ..., N-1."""
    return [int(i) for x, _ in loader for i in x.flatten()]


def test_make_loader_has_ceil_n_over_b_batches_and_a_short_last_one(ex):
    loader = ex.make_loader(torch.arange(10.0).unsqueeze(1), torch.zeros(10, 1), batch_size=4)
    sizes = [len(x) for x, _ in loader]
    assert len(loader) == 3, (
        f"make_loader(10 samples, batch_size=4) has {len(loader)} batches, expected ceil(10/4) = 3")
    assert sizes == [4, 4, 2], f"batch sizes {sizes}, expected [4, 4, 2]: keep the short last batch"


def test_make_loader_shuffles_anew_each_epoch_and_repeats_with_the_same_seed(ex):
    x, y = torch.arange(20.0), torch.zeros(20)
    loader = ex.make_loader(x, y, batch_size=5, seed=3)
    first, second = _order(loader), _order(loader)
    again = _order(ex.make_loader(x, y, batch_size=5, seed=3))
    assert sorted(first) == list(range(20)), (
        f"one epoch gave samples {sorted(first)}, expected each of 0..19 once")
    assert first != list(range(20)), f"with shuffle=True the first epoch kept the order {first}"
    assert first != second, f"two epochs gave the same order {first}, expected a new order each epoch"
    assert again == first, (
        f"a second loader with seed=3 gave {again}, expected the same first epoch {first}")


def test_make_loader_keeps_the_order_without_shuffle(ex):
    order = _order(ex.make_loader(torch.arange(10.0), torch.zeros(10), batch_size=4, shuffle=False))
    assert order == list(range(10)), f"with shuffle=False the order was {order}, expected 0..9"


def test_train_epochs_takes_one_step_per_batch(ex):
    x, y = _line(10)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = []
    optimizer.register_step_post_hook(lambda *args: steps.append(1))
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    losses = ex.train_epochs(model, nn.MSELoss(), optimizer, loader, 3)
    expected = 3 * math.ceil(10 / 4)
    assert len(steps) == expected, (
        f"3 epochs of 10 samples in batches of 4 took {len(steps)} optimizer steps, expected {expected} "
        "(one per batch, the short last batch included)")
    assert len(losses) == 3, f"train_epochs returned {len(losses)} losses for 3 epochs, expected 3"


def test_train_epochs_averages_the_loss_by_sample_count(ex):
    x, y = torch.zeros(10, 1), torch.tensor([[1.0]] * 8 + [[4.0], [7.0]])
    model = nn.Linear(1, 1)
    nn.init.zeros_(model.bias)  # x is 0, so every prediction is the bias: 0
    loader = DataLoader(TensorDataset(x, y), batch_size=4)  # batches of 4, 4, 2
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    losses = ex.train_epochs(model, nn.MSELoss(), optimizer, loader, 2)
    expected, batch_means = (y ** 2).mean().item(), (1.0 + 1.0 + 32.5) / 3
    assert all(isinstance(loss, float) for loss in losses), (
        "train_epochs should return Python floats: loss.item()")
    assert abs(losses[0] - expected) < 1e-6, (
        f"epoch loss {losses[0]:.4f}, {abs(losses[0] - expected):.4f} away from the mean over the 10 samples"
        f"{' (it is the mean of the 3 batch means)' if abs(losses[0] - batch_means) < 1e-6 else ''}: "
        "add loss.item() * len(batch) up and divide by the number of samples")


def test_train_epochs_call_order_and_weights(ex, request):
    x, y = line_data()
    model = start_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    run = watched(model, ex.train_epochs, model, nn.MSELoss(), optimizer, loader, 3, optimizer=optimizer)
    recorded = RECORDED["mse_batches_of_4_for_3_epochs"]
    record_losses(request, run.returned, recorded["losses"])
    got, want = weights_of(model), recorded["weights"]
    gap = max(abs(a - b) for a, b in zip(got, want))
    problem = first_order_problem(run, steps_per_epoch=3, weights_match=gap < 1e-6)
    assert not problem, problem
    assert gap < 1e-5, (
        f"after 3 epochs over 3 unshuffled batches (SGD, lr=0.1) the weights are {[round(v, 5) for v in got]}, "
        f"up to {gap:.2g} away from the reference run from the same start: one forward, loss, zero_grad, "
        "backward, step per batch, the short last batch included")
    losses = run.returned
    running = [sum(recorded["losses"][:k + 1]) / (k + 1) for k in range(3)]
    for epoch, (value, expected) in enumerate(zip(losses, recorded["losses"]), start=1):
        what = " (that is the mean of all epochs so far)" if abs(value - running[epoch - 1]) < 1e-5 else ""
        assert abs(value - expected) < 1e-5, (
            f"epoch {epoch} of train_epochs(lr=0.1) has loss {value:.5f}{what}, {abs(value - expected):.2g} off "
            "that epoch's own mean over its samples: start the running total and the sample count again at the "
            "top of every epoch")


def test_train_epochs_trains_in_train_mode_and_the_loss_falls(ex):
    x, y = _line(64)
    torch.manual_seed(0)
    model = _ModeRecorder().eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    losses = ex.train_epochs(model, nn.MSELoss(), optimizer, loader, 10)
    eval_calls = model.modes.count(False)
    assert model.modes and eval_calls == 0, (
        f"{eval_calls} of {len(model.modes)} forward passes ran in eval mode: call model.train() first")
    assert losses[-1] < losses[0] / 2, (
        f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}: it should fall")
