"""Build a PrairieLearn externally graded question and the Docker image that grades it.

    DIR/image/Dockerfile                      torch + torchvision (CPU), looplab, MNIST if needed
    DIR/image/looplab/                        pyproject.toml, README.md, grader/ [, data/MNIST/raw/]
    DIR/questions/<name>/info.json            gradingMethod External, the image, the entrypoint
    DIR/questions/<name>/question.html        an upload per exercise file, the grader's results
    DIR/questions/<name>/tests/run.sh         the entrypoint: grades /grade/student
    DIR/questions/<name>/tests/looplab-autograder.json   the exercises this question grades

PrairieLearn copies the question's ``tests/`` to ``/grade/tests`` and the learner's files to
``/grade/student``, runs ``/grade/tests/run.sh`` in the image and reads
``/grade/results/results.json``. The reference solutions never go in.
"""
from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from grader import mnist
from grader.curriculum import CURRICULUM, exercise
from grader.exports.gradescope_package import TEMPLATES, mnist_mode, needs_mnist, package_files
from grader.paths import REPO_ROOT
from grader.exports.platform_run import SETTINGS_NAME, settings_text

ENTRYPOINT = "/grade/tests/run.sh"
DEFAULT_IMAGE = "looplab-grader:latest"
DEFAULT_TIMEOUT_S = 600  # PrairieLearn's most; MNIST (ex08) trains on a CPU
QUESTION_HTML = """\
<pl-question-panel>
  <p>Upload your looplab exercise files ({names}), as you wrote them in <code>exercises/</code>.
  The grader runs its own checks on them, with data your code has not seen.</p>
</pl-question-panel>

<pl-file-upload file-names="{names}"></pl-file-upload>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def build(out_dir: Path, exercises: tuple[str, ...] = (), with_data: bool = False,
          image: str = DEFAULT_IMAGE, question: str = "looplab", timeout_s: int = DEFAULT_TIMEOUT_S) -> Path:
    """Write the image folder and the question folder into ``out_dir``; returns the question folder."""
    keys = tuple(exercise(key).key for key in exercises) or tuple(item.key for item in CURRICULUM)
    with_data = with_data and needs_mnist(keys)
    if with_data:
        mnist.check()  # MnistDataError says what to run
    _write_image(out_dir / "image", keys, with_data)
    return _write_question(out_dir / "questions" / question, keys, mnist_mode(keys, with_data), image, timeout_s)


def _write_image(folder: Path, keys: tuple[str, ...], with_data: bool) -> None:
    looplab = folder / "looplab"
    if looplab.exists():
        shutil.rmtree(looplab)
    for file in [REPO_ROOT / "pyproject.toml", REPO_ROOT / "README.md"] + package_files(REPO_ROOT / "grader"):
        _copy(file, looplab / file.relative_to(REPO_ROOT))
    if with_data:
        for name in sorted(mnist.MD5):
            _copy(mnist.raw_dir() / name, looplab / "data" / "MNIST" / "raw" / name)
    step = {"bundled": "RUN python -m grader data --no-download", "download": "RUN python -m grader data",
            "unused": "# (no exercise graded here needs MNIST)"}[mnist_mode(keys, with_data)]
    dockerfile = (TEMPLATES / "prairielearn.Dockerfile").read_text().replace("{data_step}", step)
    (folder / "Dockerfile").write_text(dockerfile)


def _write_question(folder: Path, keys: tuple[str, ...], mode: str, image: str, timeout_s: int) -> Path:
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    names = ", ".join(exercise(key).filename for key in keys)
    titles = "; ".join(f"{key} {exercise(key).title}" for key in keys)
    info = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"looplab/{folder.name}/{' '.join(keys)}")),
            "title": f"looplab: {titles}", "topic": "The PyTorch training loop", "tags": ["looplab"],
            "type": "v3", "singleVariant": True, "gradingMethod": "External",
            "externalGradingOptions": {"enabled": True, "image": image, "entrypoint": ENTRYPOINT,
                                       "timeout": timeout_s}}
    (folder / "info.json").write_text(json.dumps(info, indent=2) + "\n")
    (folder / "question.html").write_text(QUESTION_HTML.format(names=names))
    shutil.copyfile(TEMPLATES / "prairielearn_run.sh", folder / "tests" / "run.sh")
    (folder / "tests" / "run.sh").chmod(0o755)
    (folder / "tests" / SETTINGS_NAME).write_text(settings_text(keys, mnist=mode))
    return folder


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
