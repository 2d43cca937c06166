"""Visible tests for exercise 5: keeping the best checkpoint.

The main case trains w*x toward y = 2x while validating on y = x: from w = 0 the validation
loss falls while w passes 1 (epoch 2) and rises afterwards, so the last epoch is not the best.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = 10


class _Recorder(nn.Module):
    """w*x with w = 0 at first; records (train mode?, gradients on?) for every forward pass."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1, bias=False)
        nn.init.zeros_(self.linear.weight)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def _overshooting_run(ex):
    """Train toward y = 2x for EPOCHS epochs, validate on y = x; returns (model, result, val data)."""
    x = torch.linspace(-1, 1, 16).unsqueeze(1)
    train_loader = DataLoader(TensorDataset(x, 2 * x), batch_size=4)
    val_loader = DataLoader(TensorDataset(x, x.clone()), batch_size=4)
    model = _Recorder()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    result = ex.train_with_best_checkpoint(model, nn.MSELoss(), optimizer, train_loader, val_loader,
                                           EPOCHS)
    return model, result, x


def test_returns_the_losses_and_the_best_epoch_among_them(ex):
    _, result, _ = _overshooting_run(ex)
    keys = {"best_val_loss", "best_epoch", "train_losses", "val_losses"}
    assert keys <= set(result), f"the result has keys {sorted(result)}, expected {sorted(keys)}"
    val_losses, best_epoch = result["val_losses"], result["best_epoch"]
    assert len(result["train_losses"]) == len(val_losses) == EPOCHS, (
        f"{len(result['train_losses'])} train and {len(val_losses)} validation losses, "
        f"expected {EPOCHS} of each")
    losses = [result["best_val_loss"], *result["train_losses"], *val_losses]
    kinds = sorted({type(loss).__name__ for loss in losses})
    assert kinds == ["float"], f"the losses are of type {kinds}, expected Python floats: loss.item()"
    expected = 1 + val_losses.index(min(val_losses))
    assert best_epoch == expected, (
        f"best_epoch {best_epoch}, expected {expected} (1-based) where val loss is lowest")
    assert abs(result["best_val_loss"] - min(val_losses)) < 1e-9, (
        f"best_val_loss {result['best_val_loss']:.6f}, expected the lowest validation loss "
        f"{min(val_losses):.6f}")


def test_restores_the_best_weights_not_the_last(ex):
    model, result, x = _overshooting_run(ex)
    best, last = result["best_val_loss"], result["val_losses"][-1]
    assert result["best_epoch"] < EPOCHS, (
        f"best_epoch {result['best_epoch']} of {EPOCHS}: here validation loss rises after epoch 2")
    with torch.no_grad():
        now = nn.MSELoss()(model(x), x).item()
    assert abs(now - best) < 1e-6, (
        f"the returned model has validation loss {now:.6f} (last epoch: {last:.6f}), expected the best "
        f"{best:.6f}: save a real copy, copy.deepcopy(model.state_dict()), and load it after the loop")


def test_trains_in_train_mode_and_validates_in_eval_mode_without_gradients(ex):
    calls = _overshooting_run(ex)[0].calls  # (train mode?, gradients on?) per forward pass
    assert len(calls) == 8 * EPOCHS, (
        f"{len(calls)} forward passes, expected {8 * EPOCHS}: 4 training and 4 validation batches "
        f"in each of {EPOCHS} epochs")
    phases = [calls[i:i + 4] for i in range(0, len(calls), 4)]  # train, validate, train, ...
    training = [call for phase in phases[0::2] for call in phase]
    validating = [call for phase in phases[1::2] for call in phase]
    in_eval = sum(not mode for mode, _ in training)
    assert in_eval == 0, (
        f"{in_eval} of {len(training)} training forward passes ran in eval mode: call model.train() "
        "at the start of every epoch's training pass")
    without_grad = sum(not grad for _, grad in training)
    assert without_grad == 0, (
        f"{without_grad} of {len(training)} training forward passes tracked no gradients: keep torch.no_grad() "
        "for validation only")
    in_train, with_grad = sum(mode for mode, _ in validating), sum(grad for _, grad in validating)
    assert in_train == 0 and with_grad == 0, (
        f"of {len(validating)} validation forward passes, {in_train} ran in train mode and {with_grad} "
        "with gradients on, expected 0 and 0: model.eval() and torch.no_grad() for validation")


def test_losses_are_averaged_by_sample_count(ex):
    x, y = torch.ones(10, 1), torch.tensor([[1.0]] * 8 + [[4.0], [7.0]])
    loader = DataLoader(TensorDataset(x, y), batch_size=4)  # batches of 4, 4, 2
    model = _Recorder()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    result = ex.train_with_best_checkpoint(model, nn.MSELoss(), optimizer, loader, loader, 2)
    losses = result["train_losses"] + result["val_losses"]
    worst = max(losses, key=lambda loss: abs(loss - 7.3))
    assert abs(worst - 7.3) < 1e-5, (
        f"with lr=0 an epoch loss was {worst:.4f}, expected 7.3000, the mean over the 10 samples "
        "(the mean of the 3 batch means is 11.5000): add loss.item() * len(x) per batch")
