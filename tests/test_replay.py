"""The parent's replay loop matches a DataLoader-driven loop and averages by sample count."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.grading import replay


def test_replay_matches_a_dataloader_loop_with_a_short_last_batch():
    x, y = torch.randn(23, 2), torch.randn(23, 1)
    torch.manual_seed(0)
    model, reference = nn.Linear(2, 1), nn.Linear(2, 1)
    reference.load_state_dict(model.state_dict())
    losses = replay.train_epochs(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
                                 replay.batches_of(x, y, 5), epochs=2)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(2):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=5):
            optimizer.zero_grad()
            nn.MSELoss()(reference(xb), yb).backward()
            optimizer.step()
    assert torch.allclose(model.weight, reference.weight) and len(losses) == 2


def test_replay_loss_is_the_sample_mean_not_the_batch_mean():
    x, y = torch.zeros(5, 1), torch.tensor([[1.0], [1.0], [1.0], [1.0], [3.0]])
    model = nn.Linear(1, 1)
    nn.init.zeros_(model.weight), nn.init.zeros_(model.bias)
    losses = replay.train_epochs(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.0),
                                 replay.batches_of(x, y, 4), epochs=1)
    assert abs(losses[0] - (4 * 1 + 9) / 5) < 1e-6  # batch means would give (1 + 9) / 2
