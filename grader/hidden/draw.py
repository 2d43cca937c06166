"""Hidden inputs drawn per grading: every suite's ``INPUTS`` come from the grading's secret seed.

A suite writes ``INPUTS = inputs_for(EXERCISE, draw)`` where ``draw(rng)`` builds its inputs from
a ``random.Random``. The conftest calls ``use_seed`` with the grading's seed before the suites are
imported (``run_hidden_suites`` imports them afresh for every grading), so two gradings without
``--seed`` see different data, sizes, start weights and learning rates, and ``--seed N`` repeats a
grading exactly. Each exercise gets its own stream, so adding a draw to one suite changes no other.

Outside a grading (a suite imported by a kit test or a benchmark) the seed is ``DEFAULT_SEED``.
"""
from __future__ import annotations

import random
import secrets
from typing import Callable

DEFAULT_SEED = 0
_current = {"seed": DEFAULT_SEED}


def fresh_seed() -> int:
    """A new secret seed: 48 random bits, short enough to read and type back."""
    return secrets.randbits(48)


def use_seed(seed: int) -> None:
    """Draw every suite imported from now on from ``seed``."""
    _current["seed"] = int(seed)


def current_seed() -> int:
    return _current["seed"]


def rng_for(exercise: str, seed: int | None = None) -> random.Random:
    """The exercise's own stream of the grading's seed."""
    return random.Random(f"looplab:{current_seed() if seed is None else seed}:{exercise}")


def inputs_for(exercise: str, draw: Callable[[random.Random], dict]) -> dict:
    """``draw``'s inputs for this grading."""
    return draw(rng_for(exercise))


def seed_in(rng: random.Random) -> int:
    """A data or weight seed for torch generators, drawn from ``rng``."""
    return rng.randrange(1, 2**31 - 1)
