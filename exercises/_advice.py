"""Advice for errors beginners meet often, shown under the error and the line that raised it.

Each entry matches the error's text; an entry limited to some exercises comes first for them
("mat1 and mat2 shapes cannot be multiplied" in exercise 8 means: flatten the images first).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    """What to do when an error's text matches ``pattern`` (in ``exercises`` only, when given)."""

    pattern: str
    text: str
    exercises: tuple[str, ...] = ()

    def applies(self, message: str, key: str | None) -> bool:
        return (not self.exercises or key in self.exercises) and re.search(self.pattern, message) is not None


_SHAPES = r"mat1 and mat2 shapes cannot be multiplied"
_DTYPES = (r"expected scalar type|must have the same dtype|Found dtype|to have the same dtype"
           r"|can't be cast to the desired output type|expected .*dtype|should be the same dtype")
_DEVICES = r"same device|is on device|not on the expected device|Expected .* device"
_TENSOR_NOT_FLOAT = (r"only one element tensors can be converted|passed to Tensor.__format__"
                     r"|cannot be converted to Scalar|Can't call numpy\(\) on Tensor that requires grad"
                     r"|Object of type Tensor is not JSON serializable")

ADVICE: tuple[Advice, ...] = (
    Advice(_SHAPES, "each image is [1, 28, 28] but Linear(784, 10) takes 784 numbers per sample: flatten "
           "first (build_model starts with nn.Flatten(), so a batch [B, 1, 28, 28] becomes [B, 784])",
           ("ex08",)),
    Advice(_SHAPES, "a Linear layer got samples whose last dimension is not its in_features: print "
           "x.shape before the forward pass and compare it with the layer"),
    Advice(_DTYPES, "BCEWithLogitsLoss takes float labels shaped like the logits, [N, 1]: turn the "
           "comparison's booleans into 0.0 and 1.0 with .float()", ("ex07",)),
    Advice(_DTYPES, "two tensors of different dtypes met: models and losses work in float32, so convert "
           "inputs and regression targets with .float() (class indices for CrossEntropyLoss stay .long())"),
    Advice(_DEVICES, "the model and the data sit on different devices: move the model once with "
           "model.to(device) and every batch, inputs and targets, with x, y = x.to(device), y.to(device)"),
    Advice(_TENSOR_NOT_FLOAT, "a tensor came where a Python float was expected: read one number with "
           "loss.item(), and keep lists of losses as floats, not tensors"),
    Advice(r"backward through the graph a second time",
           "each step needs its own forward pass: compute the loss from model(x) inside the loop, "
           "right before backward()"),
    Advice(r"does not require grad and does not have a grad_fn",
           "backward() was called on a tensor without a graph: the loss must come straight from "
           "model(x) and loss_fn, not through .item(), .detach() or code under torch.no_grad()"),
    Advice(r"0D or 1D target tensor expected|multi-target not supported",
           "CrossEntropyLoss takes targets of shape [N] holding class indices, not [N, 1] or one-hot rows"),
    Advice(r"Target size .* must be the same as input size",
           "BCEWithLogitsLoss needs labels shaped like the logits, [N, 1]: y.reshape(-1, 1)"),
    Advice(r"operands could not be broadcast together",
           "two arrays of different lengths met: index x and y with the same batch of positions "
           "(x[batch], y[batch])"),
    Advice(r"'DataLoader' object is not (an iterator|subscriptable)",
           "walk a DataLoader with `for x, y in loader:`; it hands out batches, not samples by index"),
    Advice(r"leaf Variable that requires grad is being used in an in-place operation",
           "change parameters by hand only under torch.no_grad(), or let optimizer.step() do it"),
)


def advice_for(message: str, key: str | None) -> str:
    """The first advice whose pattern matches ``message``, or ""."""
    return next((advice.text for advice in ADVICE if advice.applies(message, key)), "")
