"""Write a GitHub Classroom autograding workflow: ``.github/workflows/classroom.yml``.

Put it into the assignment's template repository (next to the learner bundle from
``looplab release``). On each push the workflow installs torch, torchvision and looplab's grader
from ``grader`` (a pip requirement: a private repository or package index the instructor
controls), grades the repository with ``python -m grader.exports.platform_run classroom`` and hands the
per-check points to ``education/autograding-grading-reporter``.
"""
from __future__ import annotations

from pathlib import Path

from grader.curriculum import CURRICULUM, exercise
from grader.exports.gradescope_package import TEMPLATES, needs_mnist

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
MNIST_STEP = """\
      - name: Prepare MNIST
        working-directory: ${{ runner.temp }}
        run: python -m grader data
"""


def build(out_dir: Path, grader: str, exercises: tuple[str, ...] = (), python: str = "3.11") -> Path:
    """Write ``out_dir/.github/workflows/classroom.yml``; returns its path."""
    keys = tuple(exercise(key).key for key in exercises)
    graded = keys or tuple(item.key for item in CURRICULUM)
    if '"' in grader or "\n" in grader:
        raise ValueError("the grader's pip requirement cannot hold a double quote or a line break")
    text = (TEMPLATES / "classroom.yml").read_text()
    for token, value in (("@GRADER@", grader), ("@PYTHON@", python),
                         ("@MNIST_STEP@\n", MNIST_STEP if needs_mnist(graded) else ""),
                         ("@EXERCISES@", "".join(f" --exercise {key}" for key in keys))):
        text = text.replace(token, value)
    path = out_dir / WORKFLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
