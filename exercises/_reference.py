"""What the visible tests compare your code with: fixed data, fixed start weights, and the numbers
a correct loop records on them (each epoch's loss averaged by sample count, the final weights).

The numbers are recorded, not computed here: they come from the grader's own reference loop
(``grader/exports/visible_records.py`` in the looplab kit, which checks that they still agree).
"""
from __future__ import annotations

import torch
from torch import nn

# Ten samples of y = 2*x1 - x2 + 0.5 plus a little noise, and a label for x1 + 0.5*x2 > 0.
INPUTS = [[-1.1258, -1.1524], [-0.2506, -0.4339], [0.5988, -1.5551], [-0.3414, 1.853],
          [0.4681, -0.1577], [1.4437, 0.266], [1.3894, 1.5863], [0.9463, -0.8437],
          [0.9318, 1.259], [2.005, 0.0537]]
TARGETS = [-0.6885, 0.2818, 3.2898, -1.8901, 1.6879, 3.1988, 1.7116, 3.3627, 0.9756, 4.3771]
LABELS = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
START_WEIGHT, START_BIAS = [-0.0053, 0.3793], -0.582

# Recorded with SGD(lr=0.1) from the start weights above, batches taken in order.
# "weights" lists weight[0], weight[1], bias after the last epoch.
RECORDED = {
    "mse_batches_of_4_for_3_epochs": {
        "losses": [6.549464464187622, 0.9897639274597168, 0.26553331315517426],
        "weights": [1.7407110929489136, -0.7531778812408447, 0.6570081114768982],
    },
    "bce_batches_of_4_for_3_epochs": {
        "losses": [0.7139795064926148, 0.6074745774269104, 0.5295238971710206],
    },
    "mse_full_batch_for_1_epoch": {
        "weights": [0.5244830846786499, 0.17620940506458282, -0.14546236395835876],
    },
    "mse_full_batch_for_20_epochs": {
        "last_loss": 0.01831967756152153,
    },
}


def line_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs [10, 2] and regression targets [10, 1], fresh tensors for every test."""
    return torch.tensor(INPUTS), torch.tensor(TARGETS).unsqueeze(1)


def label_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs [10, 2] and float labels [10, 1]."""
    return torch.tensor(INPUTS), torch.tensor(LABELS).unsqueeze(1)


def start_model() -> nn.Linear:
    """Linear(2, 1) with the recorded start weights."""
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([START_WEIGHT]))
        model.bias.fill_(START_BIAS)
    return model


def weights_of(model: nn.Module) -> list[float]:
    """weight[0], weight[1], bias of a Linear(2, 1), as plain floats."""
    return [float(value) for p in model.parameters() for value in p.detach().flatten()]
