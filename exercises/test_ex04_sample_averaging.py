"""Visible tests for exercise 4: one epoch, its loss averaged by sample count.

The data: 10 samples in batches of 4, 4 and 2, so the mean of the batch means (11.5) differs
from the mean over the samples (7.3).
"""
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _curves import record_losses
from _diagnosis import first_order_problem, watched
from _reference import RECORDED, line_data, start_model, weights_of

SAMPLE_MEAN, MEAN_OF_BATCH_MEANS = 7.3, 11.5


class _Recorder(nn.Module):
    """Predicts 0 at first; records (train mode?, gradients on?) for every forward pass."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def _loader():
    x, y = torch.zeros(10, 1), torch.tensor([[1.0]] * 8 + [[4.0], [7.0]])
    return DataLoader(TensorDataset(x, y), batch_size=4)


def _averaging_message(loss):
    return (f"loss {loss:.4f}, expected {SAMPLE_MEAN:.4f}, the mean over the 10 samples (the mean of "
            f"the 3 batch means is {MEAN_OF_BATCH_MEANS:.4f}): add loss.item() * len(x) per batch")


def test_evaluation_averages_the_loss_by_sample_count(ex):
    loss = ex.run_epoch(_Recorder(), nn.MSELoss(), _loader())
    assert isinstance(loss, float), (
        f"run_epoch returned a {type(loss).__name__}, expected a Python float")
    assert abs(loss - SAMPLE_MEAN) < 1e-5, _averaging_message(loss)


def test_evaluation_runs_in_eval_mode_without_gradients_and_changes_nothing(ex):
    model = _Recorder().train()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    ex.run_epoch(model, nn.MSELoss(), _loader())
    in_train_mode = sum(training for training, _ in model.calls)
    with_grad = sum(grad for _, grad in model.calls)
    assert len(model.calls) == 3, (
        f"evaluation made {len(model.calls)} forward passes, expected 3 (one per batch)")
    assert in_train_mode == 0, (
        f"{in_train_mode} of 3 evaluation forwards ran in train mode: call model.eval()")
    assert with_grad == 0, (
        f"{with_grad} of 3 evaluation forwards tracked gradients: use torch.no_grad()")
    changed = [name for name, value in model.state_dict().items() if not value.equal(before[name])]
    assert not changed, f"evaluation changed {changed}, expected the parameters to stay as they were"


def test_training_takes_one_step_per_batch_in_train_mode(ex):
    model = _Recorder().eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    steps = []
    optimizer.register_step_post_hook(lambda *args: steps.append(1))
    ex.run_epoch(model, nn.MSELoss(), _loader(), optimizer=optimizer)
    in_eval_mode = sum(not training for training, _ in model.calls)
    without_grad = sum(not grad for _, grad in model.calls)
    assert len(steps) == 3, (
        f"training on batches of 4, 4 and 2 took {len(steps)} optimizer steps, expected 3")
    assert in_eval_mode == 0, (
        f"{in_eval_mode} of {len(model.calls)} training forwards ran in eval mode: call model.train()")
    assert without_grad == 0, (
        f"{without_grad} of {len(model.calls)} training forward passes tracked no gradients: keep "
        "torch.no_grad() for evaluation only")
    bias = model.linear.bias.item()
    assert bias > 0, (
        f"after training toward targets 1 to 7 the bias is {bias:.4f}, expected it to grow above 0")


def test_training_call_order_and_weights_over_three_epochs(ex, request):
    x, y = line_data()
    model = start_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    recorded, losses = RECORDED["mse_batches_of_4_for_3_epochs"], []
    for _ in range(3):
        run = watched(model, ex.run_epoch, model, nn.MSELoss(), loader, optimizer, optimizer=optimizer)
        losses.append(run.returned)
        problem = first_order_problem(run, steps_per_epoch=3)
        assert not problem, problem
    record_losses(request, losses, recorded["losses"])
    got, want = weights_of(model), recorded["weights"]
    gap = max(abs(a - b) for a, b in zip(got, want))
    assert gap < 1e-5, (
        f"after three training epochs (SGD, lr=0.1) the weights are {[round(v, 5) for v in got]}, up to "
        f"{gap:.2g} away from the reference epochs over the same batches from the same start: one forward, "
        "loss, zero_grad, backward, step per batch")


def test_training_returns_the_loss_averaged_by_sample_count(ex):
    model = _Recorder()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    loss = ex.run_epoch(model, nn.MSELoss(), _loader(), optimizer=optimizer)
    assert isinstance(loss, float), (
        f"run_epoch returned a {type(loss).__name__}, expected a Python float")
    assert abs(loss - SAMPLE_MEAN) < 1e-5, f"training with lr=0: {_averaging_message(loss)}"


def test_evaluation_moves_the_model_and_every_batch_to_the_device(ex):
    # The "meta" device holds shapes without data: any tensor left on the CPU cannot meet the model.
    seen = []

    def loss_fn(prediction, target):
        seen.append((prediction.device.type, target.device.type))
        return torch.zeros(())

    model = nn.Linear(1, 1)
    try:
        ex.run_epoch(model, loss_fn, _loader(), device="meta")
    except NotImplementedError:
        raise
    except RuntimeError as error:
        pytest.fail(f"run_epoch(device='meta') raised: {error}. Move the model and each batch "
                    "with .to(device)", pytrace=False)
    where = model.weight.device.type
    assert where == "meta", (
        f"after run_epoch(device='meta') the model is on {where}, expected meta: model.to(device)")
    assert seen == [("meta", "meta")] * 3, (
        f"prediction and target devices per batch {seen}, expected meta for all 3")
