"""Entry point of the child process: load the learner's module, run its probe, write plain data.

Usage (by the parent only): ``python -I -c BOOT request.json``. The request names the exercise,
the learner file, the device, the probe inputs and the output folder. Results go to
``observations.json`` and ``tensors.pt`` in that folder; the parent judges them.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path

RESULT_FILE = "observations.json"
TENSOR_FILE = "tensors.pt"


def main(request_path: str) -> None:
    request = json.loads(Path(request_path).read_text())
    out_dir = Path(request["out_dir"])
    import torch

    torch.set_num_threads(int(request.get("threads", 1)))
    torch.manual_seed(int(request.get("seed", 0)))
    learner_file = Path(request["module_path"])
    result = {"status": "ok"}
    try:
        module = _load(learner_file)
    except BaseException as error:  # noqa: BLE001 - anything at import time is the learner's
        result = {"status": "import_error", "message": _import_message(learner_file, error)}
        _write(out_dir, result, {})
        return
    from grader.harness.probe import ProbeContext

    context = ProbeContext(learner_file, request["device"], request.get("inputs", {}))
    probe = importlib.import_module(f"grader.harness.probes.{request['exercise']}")
    try:
        probe.run(module, context)
    except BaseException as error:  # noqa: BLE001 - a probe must still hand back what it saw
        result = {"status": "probe_error", "message": context.describe(error)}
    result["observations"] = context.observations
    _write(out_dir, result, context.tensors)


def _load(path: Path):
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing from the submission")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _import_message(path: Path, error: BaseException) -> str:
    if isinstance(error, FileNotFoundError) and not path.exists():
        return f"{path.name} was not found in the submission"
    if isinstance(error, SyntaxError):
        return f"{path.name} has a syntax error on line {error.lineno}: {error.msg}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return f"importing {path.name} raised {type(error).__name__}: {error}{where}"


def _write(out_dir: Path, result: dict, tensors: dict) -> None:
    import torch

    torch.save(tensors, out_dir / TENSOR_FILE)
    partial = out_dir / (RESULT_FILE + ".partial")
    partial.write_text(json.dumps(result, default=str))
    os.replace(partial, out_dir / RESULT_FILE)


if __name__ == "__main__":  # pragma: no cover - the parent uses BOOT
    main(sys.argv[1])
