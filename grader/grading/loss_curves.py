"""Each training exercise's loss curve from a grading: the learner's per-epoch losses beside the
reference loop's, on the same hidden data.

The learner's losses are what the exercise's probe recorded in the child (the values its function
returned); the reference curve is the hidden suite's own replay of the correct loop on the same
inputs (the one its checks compare against). ``CurveCollector`` is a pytest plugin that reads
both once per exercise while the hidden suites run; a curve that cannot be read is left out and
never changes a check. ex08's reference (five MNIST epochs) is not rerun: its curve is the
learner's alone.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import pytest
import torch
from torch import nn

from grader.grading import replay
from grader.harness import datasets


@dataclass
class LossCurve:
    """One exercise's curve: what was called, the learner's losses and the reference's (or None)."""

    exercise: str
    call: str
    yours: list[float]
    reference: list[float] | None

    def to_dict(self) -> dict:
        return asdict(self)


def _returned(observations: dict, scenario: str, *path: str) -> list[float] | None:
    """The plain losses a scenario's record holds at ``path`` (None when they were not numbers)."""
    found = observations.get(scenario) or {}
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, list) and found else None


def _ex01(suite, observations):
    case = suite.INPUTS["line"]
    return ("fit_python on the hidden line", _returned(observations, "fit_python_line", "loss_numbers"),
            suite._replay_case(case, "fit_python", True)[2])


def _ex02(suite, observations):
    inputs = suite.INPUTS
    model = datasets.seeded_linear(1, 1, inputs["seed"])
    optimizer = torch.optim.SGD(model.parameters(), lr=inputs["lr"])
    reference = replay.train_epochs(model, nn.MSELoss(), optimizer, [suite._data()], inputs["epochs"])
    return "fit, full batch", _returned(observations, "fit", "losses", "values"), reference


def _ex03(suite, observations):
    return ("train_epochs", _returned(observations, "train_epochs", "losses", "values"),
            suite._replay(suite.TRAIN["lr"])[1])


def _ex05(suite, observations):
    return ("train_with_best_checkpoint: validation loss",
            _returned(observations, "overshoot", "result", "val_losses", "values"), suite._replay(suite.INPUTS)[1])


def _ex06(suite, observations):
    return "train_on_device", _returned(observations, "train", "losses", "values"), suite._reference()[0]


def _ex07(suite, observations):
    return "train_classifier", _returned(observations, "train", "losses", "values"), suite._replay(suite.INPUTS)[0]


def _ex08(suite, observations):
    return "train_mnist", _returned(observations, "train", "losses", "values"), None


def _ex09(suite, observations):
    return ("train_epochs", _returned(observations, "train_epochs", "losses", "values"),
            suite._replay(suite.INPUTS["batch_size"])[0])


CURVES: dict[str, Callable] = {"ex01": _ex01, "ex02": _ex02, "ex03": _ex03, "ex05": _ex05, "ex06": _ex06,
                               "ex07": _ex07, "ex08": _ex08, "ex09": _ex09}


def curve_of(suite, observed) -> LossCurve | None:
    """The curve of one hidden suite module and its ``Observed``, or None where there is none."""
    key = getattr(suite, "EXERCISE", None)
    if key not in CURVES or observed.outcome.status not in ("ok", "probe_error"):
        return None
    try:
        call, yours, reference = CURVES[key](suite, observed.outcome.observations)
    except Exception:  # noqa: BLE001 - a picture must never cost a check
        return None
    return LossCurve(key, call, [float(v) for v in yours], reference and [float(v) for v in reference]) \
        if yours else None


class CurveCollector:
    """A pytest plugin: one curve per training exercise whose suite ran (in ``self.curves``)."""

    def __init__(self) -> None:
        self.curves: list[LossCurve] = []
        self._seen: set[str] = set()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call":
            self._collect(item)
        return report

    def _collect(self, item: pytest.Item) -> None:
        suite = getattr(item, "module", None)
        observed = getattr(item, "funcargs", {}).get("observed")
        key = getattr(suite, "EXERCISE", None)
        if observed is None or key in self._seen:
            return
        self._seen.add(key)
        curve = curve_of(suite, observed)
        if curve is not None:
            self.curves.append(curve)
