"""Fixtures of the hidden suites: run each exercise's probe once, in a child, per module."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.launch.child_launcher import ChildRequest, run_child
from grader.curriculum import exercise
from grader.grading.hidden_session import session_of
from grader.grading.judging import Observed
from grader.launch.limits import Limits


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points a hidden check is worth")
    config.addinivalue_line("markers", "cuda: a check that needs --device cuda")


@pytest.fixture(scope="module")
def observed(request: pytest.FixtureRequest) -> Observed:
    """The child's observations for this module's EXERCISE, run with this module's INPUTS."""
    return observe(request.config, request.module.EXERCISE, request.module.INPUTS)


@pytest.fixture(scope="module")
def device(request: pytest.FixtureRequest) -> str:
    return session_of(request.config).device


def observe(config: pytest.Config, key: str, inputs: dict, device: str | None = None,
            read_only: tuple[str, ...] = ()) -> Observed:
    """Run one exercise's probe in a child process with these inputs (``read_only``: data folders
    the child must read even inside the sandbox); a run started ahead of time is reused."""
    request = _child_request(config, key, inputs, device, tuple(read_only))
    ahead = config.stash.get(_AHEAD, {}).pop(_request_key(request), None)
    outcome = ahead.result() if ahead is not None else run_child(request, _limits(config))
    return Observed(exercise(key).module, outcome)


def pytest_itemcollected(item: pytest.Item) -> None:
    """Start a module's child as soon as the module is collected, in a background pool of
    ``lanes`` threads (``grader.launch.zygote_lanes``).

    The children run while this process collects, imports and judges: the next modules' imports
    and the judging of one exercise overlap the children. A module whose child needs more than its
    ``INPUTS`` describes it with ``child_plan() -> (inputs, read_only_paths)``; one whose checks
    also run that child on other devices (``observe(..., device="meta")``) names them in
    ``ALSO_RUN_ON``, and those children start ahead as well.
    """
    module, config = getattr(item, "module", None), item.config
    started = config.stash.setdefault(_STARTED, set())
    if module is None or module in started:
        return
    started.add(module)
    plan = _plan(module)
    if plan is None:
        return
    for device in (None, *getattr(module, "ALSO_RUN_ON", ())):
        request = _child_request(config, module.EXERCISE, plan[0], device, plan[1])
        _ahead(config)[_request_key(request)] = _pool(config).submit(run_child, request, _limits(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    pool = config.stash.get(_POOL, None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(config: pytest.Config) -> ThreadPoolExecutor:
    if _POOL not in config.stash:
        config.stash[_POOL] = ThreadPoolExecutor(max_workers=session_of(config).lanes,
                                                 thread_name_prefix="looplab-children")
    return config.stash[_POOL]


def _ahead(config: pytest.Config) -> dict:
    return config.stash.setdefault(_AHEAD, {})


_POOL = pytest.StashKey[ThreadPoolExecutor]()
_AHEAD = pytest.StashKey[dict]()
_STARTED = pytest.StashKey[set]()


def _plan(module) -> tuple[dict, tuple[str, ...]] | None:
    if module is None or not hasattr(module, "EXERCISE"):
        return None
    try:
        plan = getattr(module, "child_plan", None)
        return plan() if plan else (module.INPUTS, ())
    except Exception:  # noqa: BLE001 - the fixture will run it and report the problem itself
        return None


def _child_request(config: pytest.Config, key: str, inputs: dict, device: str | None,
                   read_only: tuple[str, ...]) -> ChildRequest:
    item, session = exercise(key), session_of(config)
    return ChildRequest(
        exercise=item.key, learner_file=session.submission / item.filename,
        device=device or session.device, inputs=inputs, threads=session.child_threads,
        sandbox=session.sandbox, read_only_paths=read_only,
    )


def _request_key(request: ChildRequest) -> str:
    return json.dumps([request.exercise, str(request.learner_file), request.device, request.inputs,
                       list(request.read_only_paths)], sort_keys=True, default=str)


def _limits(config: pytest.Config) -> Limits:
    return session_of(config).limits
