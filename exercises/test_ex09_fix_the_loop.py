"""Visible tests for exercise 9: fix the loop."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from _reference import RECORDED, line_data, start_model, weights_of


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


def _shown(weights):
    return "[" + ", ".join(f"{value:.4f}" for value in weights) + "]"


def _close(got, want, tolerance=1e-5):
    return all(abs(a - b) < tolerance for a, b in zip(got, want))


def _loader(x, y, batch_size=4):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size)


def _first_epoch_order(loader):
    return [int(value) for xb, _ in loader for value in xb.flatten()]


def test_train_full_batch_moves_the_weights_in_the_first_epoch(ex):
    x, y = line_data()
    model = start_model()
    start, optimizer = weights_of(model), _sgd(model)
    run = watched(model, ex.train_full_batch, model, nn.MSELoss(), optimizer, x, y, 1, optimizer=optimizer)
    problem = first_order_problem(run)
    assert not problem, f"train_full_batch(): {problem}"
    got, want = weights_of(model), RECORDED["mse_full_batch_for_1_epoch"]["weights"]
    assert _close(got, want), (
        f"after 1 epoch the weights are {_shown(got)} (they started at {_shown(start)}), "
        f"expected {_shown(want)}: one gradient-descent step on this epoch's loss")


def test_train_full_batch_matches_plain_gradient_descent(ex):
    x, y = line_data()
    model = start_model()
    losses = ex.train_full_batch(model, nn.MSELoss(), _sgd(model), x, y, 20)
    expected = RECORDED["mse_full_batch_for_20_epochs"]["last_loss"]
    assert abs(losses[-1] - expected) < 1e-5, (
        f"the loss of epoch 20 is {losses[-1]:.5f}, {abs(losses[-1] - expected):.5f} away from the reference loop's "
        "(plain gradient descent with lr 0.1, each step using only this epoch's gradient)")


def test_make_train_loader_shuffles_every_epoch(ex):
    values = torch.arange(12.0).unsqueeze(1)
    loader = ex.make_train_loader(values, values, batch_size=4)
    first, second = _first_epoch_order(loader), _first_epoch_order(loader)
    assert sorted(first) == list(range(12)), (
        f"an epoch served the samples {sorted(first)}, expected each of 0..11 once")
    assert first != list(range(12)), (
        f"the first epoch served the samples in file order {first}, expected a shuffled order")
    assert first != second, (
        f"two epochs served the same order {first}, expected a new order every epoch")


def test_make_train_loader_order_depends_on_the_seed(ex):
    values = torch.arange(12.0).unsqueeze(1)
    orders = [_first_epoch_order(ex.make_train_loader(values, values, 4, seed=seed))
              for seed in (0, 0, 1)]
    assert orders[0] == orders[1], (
        f"seed 0 gave the orders {orders[0]} and {orders[1]}, expected the same order twice")
    assert orders[0] != orders[2], (
        f"seeds 0 and 1 both gave the order {orders[0]}, expected different orders")


def test_train_epochs_trains_in_every_epoch(ex, request):
    x, y = line_data()
    model = start_model()
    optimizer = _sgd(model)
    run = watched(model, ex.train_epochs, model, nn.MSELoss(), optimizer, _loader(x, y), 3, optimizer=optimizer)
    losses, expected = run.returned, RECORDED["mse_batches_of_4_for_3_epochs"]["losses"]
    record_losses(request, losses, expected)
    steps = run.count("step")
    drained = (": loop over the loader itself in each epoch (for xb, yb in loader); an iterator made once with "
               "iter(loader) is empty after the first epoch") if steps == 3 else \
        ": one step per batch, every batch of every epoch"
    assert steps == 9, (f"train_epochs() took {steps} optimizer steps over 3 epochs, expected 9 (3 batches per "
                        f"epoch){drained}")
    problem = first_order_problem(run, steps_per_epoch=3)
    assert not problem, f"train_epochs(): {problem}"
    for epoch, (got, want) in enumerate(zip(losses, expected), start=1):
        assert abs(got - want) < 1e-5, (
            f"epoch {epoch} loss is {got:.5f}, {abs(got - want):.5f} away from the reference loop's: every epoch goes over all "
            "10 samples again")
    got, want = weights_of(model), RECORDED["mse_batches_of_4_for_3_epochs"]["weights"]
    assert _close(got, want), (
        f"after 3 epochs the weights are {_shown(got)}, expected {_shown(want)}")


def test_regression_loss_is_zero_for_a_perfect_prediction(ex):
    loss = ex.regression_loss(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.0, 2.0, 3.0]))
    assert loss.dim() == 0, (
        f"regression_loss returned shape {list(loss.shape)}, expected a 0-dim tensor")
    assert abs(loss.item()) < 1e-6, (
        f"predictions [[1], [2], [3]] against targets [1, 2, 3] give loss {loss.item():.4f}, "
        "expected 0.0")


def test_regression_loss_is_the_mean_squared_error(ex):
    prediction = torch.tensor([[1.0], [0.0], [2.0], [5.0]], requires_grad=True)
    target = torch.tensor([0.0, 0.0, 4.0, 2.0])
    loss = ex.regression_loss(prediction, target)
    assert loss.requires_grad, ("regression_loss() returned a loss that does not require grad: compute it with "
                                "tensor operations on the prediction, so that backward() reaches the model")
    got = loss.item()
    broadcast = ((prediction - target) ** 2).mean().item()
    why = (" (the mean over all [4, 4] pairs): [N, 1] minus [N] broadcasts to [N, N]; reshape the prediction to "
           "the target's shape") if abs(got - broadcast) < 1e-6 else \
        " (half of it: the loss is the plain mean of the squared errors, not divided by 2)" if abs(got - 1.75) < 1e-6 \
        else ""
    assert abs(got - 3.5) < 1e-6, (
        f"predictions [[1], [0], [2], [5]] against targets [0, 0, 4, 2] give loss {got:.4f}{why}, "
        "expected 3.5 = (1 + 0 + 4 + 9) / 4")


def test_collect_losses_returns_plain_floats(ex):
    x, y = line_data()
    model = start_model()
    losses = ex.collect_losses(model, nn.MSELoss(), _sgd(model), _loader(x, y), 2)
    kinds = [type(loss).__name__ for loss in losses]
    assert all(isinstance(loss, float) for loss in losses), (
        f"collect_losses returned {kinds}, expected Python floats: a tensor that requires grad "
        "keeps its whole autograd graph alive")


def test_collect_losses_averages_each_epoch_over_samples(ex):
    x, y = line_data()
    model = start_model()
    losses = ex.collect_losses(model, nn.MSELoss(), _sgd(model), _loader(x, y), 3)
    expected = RECORDED["mse_batches_of_4_for_3_epochs"]["losses"]
    assert len(losses) == 3, (
        f"collect_losses returned {len(losses)} losses for 3 epochs, expected 3")
    for epoch, (got, want) in enumerate(zip(losses, expected), start=1):
        got = got.item() if isinstance(got, torch.Tensor) else got
        assert abs(got - want) < 1e-5, (
            f"epoch {epoch} loss is {got:.5f}, {abs(got - want):.5f} away from the reference loop's: the mean over all 10 samples, "
            "each batch's loss counted len(batch) times (batches of 4, 4 and 2)")
