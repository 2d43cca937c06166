"""Build a Gradescope autograder zip: setup.sh, run_autograder and looplab with its hidden suites.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once, then
``run_autograder`` for every submission (see ``grader/autograder/``). The zip holds::

    setup.sh  run_autograder  looplab-autograder.json (exercises, visibility, how MNIST gets there)
    looplab/pyproject.toml  looplab/README.md  looplab/grader/...  [looplab/data/MNIST/raw/...]

The reference solutions never go in: only the grader package (hidden suites included).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from grader import mnist
from grader.curriculum import CURRICULUM, exercise
from grader.grading.grade import NEEDS_MNIST
from grader.paths import REPO_ROOT
from grader.exports.platform_run import SETTINGS_NAME, settings_text
from grader.reports.gradescope import VISIBILITIES

TEMPLATES = Path(__file__).resolve().parent.parent / "autograder"
ZIP_NAME = "looplab-autograder.zip"
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
README = """\
# looplab autograder

Built by `looplab gradescope`. Gradescope runs `setup.sh` once and `run_autograder` per
submission; `run_autograder` grades the learner's `exNN_*.py` files with `grader.exports.platform_run`.
"""


def build(out_dir: Path, exercises: tuple[str, ...] = (), with_data: bool = False,
          visibility: str = "visible") -> Path:
    """Write ``out_dir/looplab-autograder.zip``; returns its path."""
    keys = tuple(exercise(key).key for key in exercises) or tuple(item.key for item in CURRICULUM)
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    with_data = with_data and needs_mnist(keys)
    if with_data:
        mnist.check()  # MnistDataError says what to run
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ZIP_NAME
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("setup.sh", "run_autograder"):
            _add(archive, TEMPLATES / name, name, executable=True)
        _write(archive, SETTINGS_NAME, settings_text(keys, visibility, mnist_mode(keys, with_data)))
        _add(archive, REPO_ROOT / "pyproject.toml", "looplab/pyproject.toml")
        _write(archive, "looplab/README.md", README)
        for file in package_files(REPO_ROOT / "grader"):
            _add(archive, file, f"looplab/{file.relative_to(REPO_ROOT).as_posix()}")
        if with_data:
            for name in sorted(mnist.MD5):
                _add(archive, mnist.raw_dir() / name, f"looplab/data/MNIST/raw/{name}")
    return path


def needs_mnist(keys: tuple[str, ...]) -> bool:
    return bool(set(keys) & set(NEEDS_MNIST))


def mnist_mode(keys: tuple[str, ...], with_data: bool) -> str:
    """How the package gets MNIST: shipped inside it, downloaded at set-up, or not at all."""
    return "bundled" if with_data else "download" if needs_mnist(keys) else "unused"


def package_files(package: Path) -> list[Path]:
    """Every file of the grader package, without caches."""
    return sorted(p for p in package.rglob("*") if p.is_file() and not SKIPPED_PARTS & set(p.parts)
                  and p.suffix != ".pyc")


def _add(archive: zipfile.ZipFile, file: Path, name: str, executable: bool = False) -> None:
    _write(archive, name, file.read_bytes(), executable)


def _write(archive: zipfile.ZipFile, name: str, data: str | bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
