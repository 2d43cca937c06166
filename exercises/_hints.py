"""Hints that follow the failure: each visible test names a section of its exercise's hint file.

A hint file (``ex03_minibatches.hint.md``) holds sections; each names the tests it helps with
(by name, or by a pattern such as ``test_make_loader_*``), may keep to failures whose message
holds a phrase (``When:``), and gives numbered levels, from a nudge to the answer::

    ## The short last batch
    Tests: test_make_loader_has_ceil_n_over_b_batches_and_a_short_last_one, test_make_loader_*
    When: batch sizes

    1. How many batches do 10 samples make in batches of 4?
    2. Keep the last, shorter batch: no ``drop_last=True``.
    3. ``DataLoader(TensorDataset(x, y), batch_size=batch_size, ...)``

How deep a learner has gone (``looplab hint``) is kept in ``.looplab/hints.json`` beside it.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

from _record import write_json

_SECTION = re.compile(r"^## +(.+)$")
_LEVEL = re.compile(r"^(\d+)\. +(.*)$")
_TESTS = re.compile(r"^Tests: *(.*)$")
_WHEN = re.compile(r"^When: *(.*)$")


@dataclass(frozen=True)
class HintSection:
    """One failure's hints: its title, the visible tests it is for, its levels (nudge first)."""

    title: str
    tests: tuple[str, ...]
    levels: tuple[str, ...]
    when: str = ""  # only for a failure whose message contains this


def hint_file(exercises_dir: Path, module: str) -> Path:
    """``exercises/ex03_minibatches.hint.md`` for ``ex03_minibatches``."""
    return exercises_dir / f"{module}.hint.md"


def read_sections(path: Path) -> list[HintSection]:
    """The sections of a hint file, in file order ([] when there is no file)."""
    if not path.exists():
        return []
    sections, title, tests, levels, when = [], None, (), [], ""
    for line in path.read_text().splitlines() + ["## end"]:
        if _SECTION.match(line):
            if title is not None:
                sections.append(HintSection(title, tests, tuple(levels), when))
            title, tests, levels, when = _SECTION.match(line).group(1).strip(), (), [], ""
        elif _WHEN.match(line):
            when = _WHEN.match(line).group(1).strip()
        elif _TESTS.match(line):
            tests = tuple(name.strip() for name in _TESTS.match(line).group(1).split(",") if name.strip())
        elif _LEVEL.match(line):
            levels.append(_LEVEL.match(line).group(2).strip())
        elif line.strip() and levels:
            levels[-1] += " " + line.strip()
    return sections


def function_of_test(test_name: str) -> str:
    """``test_learns[fit_numpy]`` -> ``test_learns``: parameters share their function's hint."""
    return test_name.split("[", 1)[0]


def section_for(sections: list[HintSection], test_name: str | None, message: str = "") -> HintSection | None:
    """The section naming this test (one whose ``When:`` is in the message first), else one whose
    pattern (``test_fit_*``) matches, else the first."""
    wanted = function_of_test(test_name or "")
    named = [section for section in sections if wanted in section.tests and section.when in message]
    named.sort(key=lambda section: not section.when)
    matched = [section for section in sections
               if any("*" in pattern and fnmatch.fnmatchcase(wanted, pattern) for pattern in section.tests)]
    return next(iter(named + matched + sections), None)


class HintDepth:
    """How many levels of each section a learner has been shown, kept in ``.looplab/hints.json``."""

    def __init__(self, exercises_dir: Path) -> None:
        self.path = exercises_dir / ".looplab" / "hints.json"

    def shown(self, key: str, section: HintSection) -> int:
        """Levels of ``section`` already shown for exercise ``key`` (0 when none)."""
        return int(self._load().get(key, {}).get(section.title, 0))

    def show_next(self, key: str, section: HintSection, seen: int = 0) -> int:
        """One level deeper than shown so far or ``seen`` (stopping at the answer); from 1."""
        state = self._load()
        shown = max(int(state.get(key, {}).get(section.title, 0)), seen)
        level = min(shown + 1, len(section.levels))
        state.setdefault(key, {})[section.title] = level
        write_json(self.path, state)
        return level

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
