"""docs/mutation.md from the recorded mutants and the list of mutants shown equivalent.

Score per exercise = killed / (mutants - equivalent): a mutant the hidden checks let through
counts against the score unless ``equivalent_mutants.toml`` explains why no check can tell it from
the solution (it computes the same thing, or changes only what the exercise leaves free).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from grader.authoring.mutation_run import KILLED, INCOMPETENT, SURVIVED, Mutant

EQUIVALENTS_FILE = Path(__file__).with_name("equivalent_mutants.toml")
TARGET = 0.95
REGENERATE = "looplab mutate                 # every exercise; --exercise exNN for one"


def load_equivalents(path: Path = EQUIVALENTS_FILE) -> dict[tuple[str, str, str], str]:
    """(exercise, solution line, mutant line) -> why the mutant is equivalent."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: cosmic-ray brings the toml package
        import toml as tomllib
    entries = tomllib.loads(path.read_text()).get("mutant", []) if path.exists() else []
    return {(entry["exercise"], entry["line"], entry["mutant"]): entry["why"] for entry in entries}


def save_results(mutants: list[Mutant], path: Path, seed: int) -> None:
    """Record the mutants, replacing the earlier record of the same exercises."""
    replaced = {mutant.exercise for mutant in mutants}
    kept = [mutant for mutant in load_results(path) if mutant.exercise not in replaced]
    everything = sorted(kept + mutants, key=lambda mutant: (mutant.exercise, mutant.line, mutant.operator))
    record = {"seed": seed, "mutants": [asdict(mutant) for mutant in everything]}
    path.write_text(json.dumps(record, indent=1) + "\n")


def recorded_seed(path: Path) -> int | None:
    """The seed of the hidden inputs the recorded mutants were graded on."""
    return json.loads(path.read_text())["seed"] if path.exists() else None


def load_results(path: Path) -> list[Mutant]:
    if not path.exists():
        return []
    return [Mutant(**{**entry, "killed_by": tuple(entry["killed_by"])})
            for entry in json.loads(path.read_text())["mutants"]]


def render(mutants: list[Mutant], equivalents: dict, seed: int) -> str:
    """The Markdown page: the command, the score per exercise and overall, every survivor."""
    by_exercise = defaultdict(list)
    for mutant in mutants:
        by_exercise[mutant.exercise].append(mutant)
    lines = _header(seed) + _table(by_exercise, equivalents) + _survivors(mutants, equivalents)
    return "\n".join(lines) + "\n"


def score(mutants: list[Mutant], equivalents: dict) -> tuple[int, int, int, float]:
    """(killed, equivalent, surviving, killed share of the non-equivalent mutants)."""
    killed = sum(mutant.outcome in (KILLED, INCOMPETENT) for mutant in mutants)
    survivors = [mutant for mutant in mutants if mutant.outcome == SURVIVED]
    equivalent = sum(_key(mutant) in equivalents for mutant in survivors)
    judged = len(mutants) - equivalent
    return killed, equivalent, len(survivors) - equivalent, (killed / judged if judged else 1.0)


def _key(mutant: Mutant) -> tuple[str, str, str]:
    return mutant.exercise, mutant.removed, mutant.added


def _header(seed: int) -> list[str]:
    return [
        "# Mutation testing of the hidden suites",
        "",
        "Every mutant of the learner's part of `solutions/` (the lines between `### BEGIN SOLUTION` "
        "and `### END SOLUTION`), made by [cosmic-ray](https://cosmic-ray.readthedocs.io) with its "
        "core operators and looplab's training-loop operators (`grader/authoring/loop_mutations.py`: "
        "a call left out, two neighbouring statements swapped, a keyword argument left out), is graded "
        f"by the exercise's hidden suite on the hidden inputs of seed {seed}. A mutant is killed when "
        "at least one hidden check fails. A survivor either gets a check or is shown equivalent in "
        "`grader/authoring/equivalent_mutants.toml` (it computes what the solution computes, or changes "
        "only what the exercise leaves free); equivalent mutants leave the denominator.",
        "",
        "Regenerate (needs `pip install -e '.[mutation]'`, MNIST prepared; about an hour on 2 cores):",
        "",
        "```",
        REGENERATE,
        "looplab mutate --report-only  # re-render from docs/mutation.json after editing the equivalents",
        "```",
        "",
        f"Target: at least {TARGET:.0%} of the non-equivalent mutants killed, per exercise and overall.",
        "",
    ]


def _table(by_exercise: dict, equivalents: dict) -> list[str]:
    lines = ["| exercise | mutants | killed | equivalent | surviving | score | target met |",
             "|---|---:|---:|---:|---:|---:|---|"]
    everything = []
    for key in sorted(by_exercise):
        everything += by_exercise[key]
        lines.append(_row(key, by_exercise[key], equivalents))
    lines.append(_row("**all**", everything, equivalents))
    return lines + [""]


def _row(name: str, mutants: list[Mutant], equivalents: dict) -> str:
    killed, equivalent, surviving, share = score(mutants, equivalents)
    met = "yes" if share >= TARGET else "**no**"
    return f"| {name} | {len(mutants)} | {killed} | {equivalent} | {surviving} | {share:.1%} | {met} |"


def _survivors(mutants: list[Mutant], equivalents: dict) -> list[str]:
    survivors = [mutant for mutant in mutants if mutant.outcome == SURVIVED]
    if not survivors:
        return ["Every mutant was killed."]
    lines = ["## Survivors", ""]
    for mutant in survivors:
        why = equivalents.get(_key(mutant))
        verdict = f"equivalent: {why}" if why else "**not caught by any hidden check**"
        lines += [f"- {mutant.exercise} `{mutant.function}` line {mutant.line} ({mutant.operator}): "
                  f"`{mutant.removed}` -> `{mutant.added or '(removed)'}`  ", f"  {verdict}"]
    return lines
