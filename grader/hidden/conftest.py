"""Fixtures of the hidden suites: run each exercise's probe once, in a child, per module."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.child_process import ChildRequest, run_child
from grader.curriculum import exercise
from grader.judging import Observed
from grader.limits import Limits


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("looplab")
    group.addoption("--submission", help="folder holding the learner's exercise modules")
    group.addoption("--looplab-device", default="cpu", help="cpu, cuda or meta")
    group.addoption("--looplab-sandbox", default="none", help="none or bwrap")
    group.addoption("--looplab-threads", type=int, default=1, help="torch threads per child")
    group.addoption("--looplab-limits", default="{}", help="JSON of Limits fields")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points a hidden check is worth")
    config.addinivalue_line("markers", "cuda: a check that needs --device cuda")


@pytest.fixture(scope="module")
def observed(request: pytest.FixtureRequest) -> Observed:
    """The child's observations for this module's EXERCISE, run with this module's INPUTS."""
    return observe(request.config, request.module.EXERCISE, request.module.INPUTS)


@pytest.fixture(scope="module")
def device(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--looplab-device")


def observe(config: pytest.Config, key: str, inputs: dict, device: str | None = None,
            read_only: tuple[str, ...] = ()) -> Observed:
    """Run one exercise's probe in a child process with these inputs (``read_only``: data folders
    the child must read even inside the sandbox)."""
    submission = Path(config.getoption("--submission") or ".")
    item = exercise(key)
    request = ChildRequest(
        exercise=item.key, learner_file=submission / item.filename,
        device=device or config.getoption("--looplab-device"), inputs=inputs,
        threads=config.getoption("--looplab-threads"),
        sandbox=config.getoption("--looplab-sandbox"), read_only_paths=tuple(read_only),
    )
    limits = Limits(**json.loads(config.getoption("--looplab-limits")))
    return Observed(item.module, run_child(request, limits))
