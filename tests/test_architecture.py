"""The kit's layout: stages as packages, imports only downward, no import cycles, small modules;
every exercise complete in all its places, and every scenario a hidden suite asks for written by
its probe.

Read with ``ast`` only: nothing here imports or runs the grader. A program held in a string (the
zygote's server, bench's bare run) is not an import of the module that holds it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.curriculum import CURRICULUM, Exercise
from grader.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR

GRADER = REPO_ROOT / "grader"
BUGGY_CASES = REPO_ROOT / "tests" / "catalog" / "buggy"
INPUT_SCENARIOS = "scenarios"  # the inputs' key under which a suite can hand its probe scenario names
MAX_LINES = 300
MAX_TOP_LEVEL_MODULES = 12
# The stages from the bottom up; a module may import its own stage and the stages below it.
LAYERS = (
    ("foundation", ("grader", "grader.paths", "grader.curriculum", "grader.digits", "grader.mnist",
                    "grader.atomic", "grader.results")),
    ("child side", ("grader.harness",)),
    ("launch", ("grader.launch",)),  # the parent's side of the child process
    ("reports", ("grader.reports",)),
    ("grading", ("grader.grading", "grader.hidden")),
    ("authoring", ("grader.authoring",)),
    ("exports", ("grader.exports",)),
    ("commands", ("grader.commands",)),
    ("entry points", ("grader.cli", "grader.__main__")),
)
# Packages judged as one when looking for cycles between packages.
SAME_PACKAGE = {
    # The hidden suites are grading's content, in a folder of their own so that pytest collects
    # nothing else: grade draws each grading's seed from grader.hidden.draw, and the suites judge
    # with grader.grading.judging.
    "grader.hidden": "grader.grading",
}
# Imports left out of the cycle check, each with why the pair must know each other.
OPTIONAL_IMPORTS = {
    ("grader.exports.notebook_learner_checks", "grader.exports.notebook_checks"):
        "looplab_checks.py ships alone beside the notebooks; only where the grader is installed "
        "(the instructor's autograde) does hidden_check grade through notebook_checks, which "
        "takes its cell_source back from it (an import that may fail, inside the function)",
}
# Modules allowed over MAX_LINES, each with why it is not split yet (none now).
LONG_MODULES: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(GRADER.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """The grader modules ``path`` imports, at any depth of its code (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in MODULES}


IMPORTS = {name: {target for target in imports_of(path) - {name} if (name, target) not in OPTIONAL_IMPORTS}
           for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    matches = [(len(prefix), rank) for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
               if module == prefix or (prefix != "grader" and module.startswith(prefix + "."))]
    assert matches, f"{module} belongs to no stage of LAYERS: add it to one"
    return max(matches)[1]


def package_of(module: str) -> str:
    parts = module.split(".")
    package = ".".join(parts[:2]) if len(parts) > 2 or MODULES[module].name == "__init__.py" else module
    return SAME_PACKAGE.get(package, package)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules():
    assert cycles(IMPORTS) == []


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = {}
    for module, targets in IMPORTS.items():
        source = package_of(module)
        packages.setdefault(source, set()).update(package_of(t) for t in targets if package_of(t) != source)
    assert cycles(packages) == []


def test_imports_only_go_down_the_stages():
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
              for module, targets in IMPORTS.items() for target in sorted(targets)
              if layer_of(target) > layer_of(module)]
    assert upward == []


def test_no_module_over_the_line_limit_but_the_listed_ones():
    lengths = {str(path.relative_to(REPO_ROOT)): len(path.read_text().splitlines()) for path in MODULES.values()}
    too_long = sorted(f"{name}: {count} lines" for name, count in lengths.items()
                      if count > MAX_LINES and name not in LONG_MODULES)
    stale = sorted(name for name in LONG_MODULES if lengths.get(name, 0) <= MAX_LINES)
    assert too_long == [], f"split by concept, or list with a reason in LONG_MODULES: {too_long}"
    assert stale == [], f"no longer over {MAX_LINES} lines (or gone): take out of LONG_MODULES: {stale}"


def test_the_top_level_keeps_entry_points_curriculum_paths_and_data():
    top = sorted(path.name for path in GRADER.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_the_checks_see_real_import_problems():
    """The cycle finder and the stage order are not vacuous: a made-up cycle and climb are found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer_of("grader.launch.zygote") < layer_of("grader.grading.grade")
    assert "grader.launch.child_outcome" in IMPORTS["grader.grading.judging"]
    assert "grader.launch.child_launcher" not in IMPORTS["grader.grading.judging"]
    assert all(target in imports_of(MODULES[module]) for module, target in OPTIONAL_IMPORTS)


# -- every exercise in all its places ------------------------------------------------------

def places(item: Exercise) -> dict[str, Path]:
    """Where each part of an exercise lives (CONTRIBUTING.md, "Adding an exercise")."""
    return {"stub": EXERCISES_DIR / item.filename, "solution": SOLUTIONS_DIR / item.filename,
            "hint": EXERCISES_DIR / f"{item.module}.hint.md",
            "visible test": EXERCISES_DIR / f"test_{item.filename}",
            "probe": GRADER / "harness" / "probes" / f"{item.module}.py",
            "hidden suite": GRADER / "hidden" / f"test_{item.module}.py"}


@pytest.mark.parametrize("item", CURRICULUM, ids=lambda item: item.key)
def test_every_exercise_has_its_files_and_a_buggy_case(item):
    missing = [f"{part} ({path.relative_to(REPO_ROOT)})" for part, path in places(item).items()
               if not path.is_file()]
    if not sorted(BUGGY_CASES.glob(f"{item.key}_*")):
        missing.append(f"a buggy catalog case ({BUGGY_CASES.relative_to(REPO_ROOT)}/{item.key}_*.case)")
    assert missing == [], f"{item.key} has no {', no '.join(missing)}"


def asked_scenarios(suite_source: str) -> set[str]:
    """The scenario names a hidden suite reads: ``observed.scenario("name", ...)``."""
    return {call.args[0].value for call in _scenario_calls(suite_source)
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)}


def written_scenarios(probe_source: str, suite_source: str = "") -> set[str]:
    """The scenario names a probe can write: ``ctx.scenario("name")``; where a probe names its
    scenarios from data, the strings it lists (``for name in (...)``, a ``SCENARIOS`` dict) or,
    when it reads them from its inputs (``ctx.inputs["scenarios"]``), the keys the suite gives there."""
    calls = _scenario_calls(probe_source)
    named = asked_scenarios(probe_source)
    if all(call.args and isinstance(call.args[0], ast.Constant) for call in calls):
        return named
    probe = ast.parse(probe_source)
    listed = set()
    for node in ast.walk(probe):
        elements = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", []) \
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else []
        listed |= _strings(elements)
    if any(isinstance(node, ast.Subscript) and _strings([node.slice]) == {INPUT_SCENARIOS} for node in ast.walk(probe)):
        listed |= {name for node in ast.walk(ast.parse(suite_source)) if isinstance(node, ast.Dict)
                   for key, value in zip(node.keys, node.values)
                   if _strings([key]) == {INPUT_SCENARIOS} and isinstance(value, ast.Dict)
                   for name in _strings(value.keys)}
    return named | listed


def _strings(nodes) -> set[str]:
    return {node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def _scenario_calls(source: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "scenario"]


@pytest.mark.parametrize("item", CURRICULUM, ids=lambda item: item.key)
def test_every_scenario_a_suite_asks_for_is_written_by_its_probe(item):
    where = places(item)
    suite = where["hidden suite"].read_text()
    unknown = sorted(asked_scenarios(suite) - written_scenarios(where["probe"].read_text(), suite))
    assert unknown == [], f"grader/hidden/test_{item.module}.py asks for scenarios its probe never writes: {unknown}"


def test_the_scenario_reader_tells_written_from_missing():
    probe = 'def run(m, ctx):\n    with ctx.scenario("fit"):\n        pass\n' \
            '    for name in ("step", "step_adam"):\n        with ctx.scenario(name):\n            pass\n'
    suite = 'def test(observed):\n    observed.scenario("fit", "f")\n    observed.scenario(\n        "step_sgd")\n'
    assert asked_scenarios(suite) == {"fit", "step_sgd"}
    assert asked_scenarios(suite) - written_scenarios(probe) == {"step_sgd"}
    assert written_scenarios('def run(m, ctx):\n    ctx.scenario("a")\n    x = ("b",)\n') == {"a"}
    from_inputs = 'def run(m, ctx):\n    for name in ctx.inputs["scenarios"]:\n        ctx.scenario(name)\n'
    assert written_scenarios(from_inputs, 'INPUTS = {"n": 3, "scenarios": {"lr0": {}, "sgd": {}}}') == {"lr0", "sgd"}


def devices_asked(suite: str) -> set[str]:
    """The devices a suite's checks run its child on, besides the grading's: ``device="meta"``
    passed to ``observe`` or to a helper of the suite that calls it."""
    asked = set()
    for node in ast.walk(ast.parse(suite)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "device" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    asked.add(keyword.value.value)
    return asked


def devices_ahead(suite: str) -> set[str]:
    for node in ast.parse(suite).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "ALSO_RUN_ON" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


@pytest.mark.parametrize("item", CURRICULUM, ids=lambda item: item.key)
def test_every_extra_device_a_suite_runs_its_child_on_starts_ahead(item):
    suite = places(item)["hidden suite"].read_text()
    missing = sorted(devices_asked(suite) - devices_ahead(suite))
    assert missing == [], (f"grader/hidden/test_{item.module}.py runs its child on {missing} in a check: name them "
                           "in ALSO_RUN_ON so that child starts ahead with the rest")


def test_the_device_reader_sees_a_check_s_extra_device():
    suite = 'ALSO_RUN_ON = ("meta",)\ndef test(r):\n    observe(r.config, E, I, device="meta")\n'
    assert devices_asked(suite) == devices_ahead(suite) == {"meta"}
    assert devices_asked('def test(r):\n    _observe(r, device="meta")\n') == {"meta"}
    assert devices_ahead('def test(r):\n    _observe(r, device="meta")\n') == set()
