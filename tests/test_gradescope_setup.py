"""setup.sh, the Gradescope image build, under a fake /autograder root with stand-in commands.

The system Python, the venv's Python (pip, imports, ``grader data``) and apt-get are small shell
scripts whose behaviour each test picks, so every way the real build can fail is tried in
milliseconds: the build must stop with a non-zero exit and one line that names the cause.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exports.gradescope_package import TEMPLATES
from grader.exports.platform_run import SETTINGS_NAME, settings_text

SYSTEM_PYTHON = """#!/usr/bin/env bash
# stands in for python3: `-m venv DIR` makes a venv whose pip works only once python3-venv is in
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$FAKE/venv-python" "$3/bin/python" && chmod +x "$3/bin/python"
    [ -e "$FAKE/python3-venv" ] && touch "$3/pip-works"
    exit 0
fi
exec "$REAL_PYTHON" "$@"
"""
VENV_PYTHON = """#!/usr/bin/env bash
# stands in for the venv's python: pip, the torch import and `grader data` fail when told to
echo "$*" >> "$FAKE/calls"
case "$*" in
    "-m pip --version") [ -e "$(dirname "$0")/../pip-works" ] ;;
    *"pip install torch torchvision"*) [ ! -e "$FAKE/no-torch-wheels" ] ;;
    "-m pip"*) exit 0 ;;
    "-c import torch, torchvision") [ ! -e "$FAKE/torchvision-broken" ] ;;
    "-m grader data"*) [ ! -e "$FAKE/no-mnist" ] ;;
    *) exec "$REAL_PYTHON" "$@" ;;
esac
"""
APT_GET = """#!/usr/bin/env bash
echo "apt-get $*" >> "$FAKE/calls"
[ -e "$FAKE/apt-broken" ] && exit 100
[ "$1" = install ] && touch "$FAKE/python3-venv"
exit 0
"""


def setup(tmp_path: Path, *broken: str, mnist: str = "unused", venv_installed: bool = True):
    """Run setup.sh under a fake root with the stand-ins; ``broken`` names what fails."""
    fake, source = tmp_path / "fake", tmp_path / "source"
    (fake / "bin").mkdir(parents=True)
    source.mkdir()
    for name, text in (("bin/python3", SYSTEM_PYTHON), ("venv-python", VENV_PYTHON), ("bin/apt-get", APT_GET)):
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    for flag in broken + (("python3-venv",) if venv_installed else ()):
        (fake / flag).touch()
    (source / "setup.sh").write_text((TEMPLATES / "setup.sh").read_text())
    (source / SETTINGS_NAME).write_text(settings_text(("ex02",), mnist=mnist))
    env = {**os.environ, "FAKE": str(fake), "REAL_PYTHON": sys.executable, "LOOPLAB_AUTOGRADER_ROOT": str(tmp_path),
           "PATH": f"{fake / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("LOOPLAB_SETUP_PYTHON", None)
    done = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=60)
    calls = (fake / "calls").read_text() if (fake / "calls").exists() else ""
    return done, calls


def test_a_complete_build_installs_torch_looplab_and_stops_there(tmp_path):
    done, calls = setup(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu" in calls
    assert "-c import torch, torchvision" in calls and "pip install -e" in calls
    assert "apt-get" not in calls and "grader data" not in calls
    assert "no exercise graded here needs MNIST" in done.stdout and "looplab setup: ready" in done.stdout


def test_missing_ensurepip_installs_python3_venv(tmp_path):
    done, calls = setup(tmp_path, venv_installed=False)
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y --no-install-recommends python3 python3-pip python3-venv" in calls
    assert "cannot create a venv with pip; installing python3-venv" in done.stdout


@pytest.mark.parametrize("broken, line", [
    (("apt-broken",), "apt-get could not install python3, python3-pip and python3-venv"),
    (("no-torch-wheels",), "pip could not install torch and torchvision from https://download.pytorch.org/whl/cpu"),
    (("torchvision-broken",), "import torchvision fails after installing torch and torchvision"),
])
def test_a_build_that_cannot_grade_fails_loudly(tmp_path, broken, line):
    done, _ = setup(tmp_path, *broken, venv_installed="apt-broken" not in broken)
    assert done.returncode == 1
    assert f"looplab setup: {line}" in done.stderr
    assert "looplab setup: FAILED" in done.stderr and "ready" not in done.stdout


@pytest.mark.parametrize("mode, line", [
    ("download", "MNIST could not be downloaded: rebuild the zip with looplab gradescope DIR --with-data"),
    ("bundled", "the MNIST files shipped in the zip are missing or corrupt"),
])
def test_mnist_that_cannot_be_prepared_fails_the_build(tmp_path, mode, line):
    done, calls = setup(tmp_path, "no-mnist", mnist=mode)
    assert done.returncode == 1 and f"looplab setup: {line}" in done.stderr
    assert ("grader data --no-download" in calls) == (mode == "bundled")


def test_mnist_is_prepared_when_an_exercise_needs_it(tmp_path):
    done, calls = setup(tmp_path, mnist="download")
    assert done.returncode == 0, done.stderr
    assert "-m grader data\n" in calls
