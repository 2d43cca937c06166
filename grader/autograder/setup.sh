#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu base image).
# Each step checks what grading really needs and, when it is missing, stops the build with a
# line starting "looplab setup:" and a non-zero exit, so an image that cannot grade is never used:
#   1. a Python 3.10+ that creates a venv WITH pip (ensurepip; python3-venv is installed if not),
#   2. torch and torchvision in one pip command from PyTorch's CPU index, then `import torchvision`,
#   3. looplab from ./looplab,
#   4. MNIST when an exercise graded needs it: the files shipped in the zip (--with-data), checked
#      by MD5, else downloaded now.
# Variables (tests set them to run this under a fake root):
#   LOOPLAB_AUTOGRADER_ROOT  the autograder root (default /autograder)
#   LOOPLAB_SETUP_PYTHON     the system Python that creates the venv (default python3)
#   LOOPLAB_TORCH_INDEX      where torch and torchvision come from (default PyTorch's CPU index)
set -uo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${LOOPLAB_AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"
SYSTEM_PYTHON="${LOOPLAB_SETUP_PYTHON:-python3}"
TORCH_INDEX="${LOOPLAB_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
SETTINGS="$SOURCE/looplab-autograder.json"

fail() {
    echo "looplab setup: $*" >&2
    echo "looplab setup: FAILED: this image cannot grade; fix the cause above and rebuild it" >&2
    exit 1
}

venv_with_pip() {  # a fresh $VENV whose python runs pip
    rm -rf "$VENV"
    "$SYSTEM_PYTHON" -m venv "$VENV" >/dev/null 2>&1 && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# 1. Python with venv and pip
if ! command -v "$SYSTEM_PYTHON" >/dev/null 2>&1 || ! venv_with_pip; then
    echo "looplab setup: $SYSTEM_PYTHON cannot create a venv with pip; installing python3-venv and python3-pip"
    apt-get update && apt-get install -y --no-install-recommends python3 python3-pip python3-venv \
        || fail "apt-get could not install python3, python3-pip and python3-venv"
    venv_with_pip || fail "$SYSTEM_PYTHON still cannot create a venv with pip after installing python3-venv"
fi
"$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || fail "looplab needs Python 3.10 or newer, and $SYSTEM_PYTHON is $("$VENV/bin/python" -V 2>&1): choose a newer base image"

# 2. torch and torchvision, together
"$VENV/bin/python" -m pip install --upgrade pip >/dev/null || fail "pip could not upgrade itself"
"$VENV/bin/python" -m pip install torch torchvision --index-url "$TORCH_INDEX" \
    || fail "pip could not install torch and torchvision from $TORCH_INDEX"
"$VENV/bin/python" -c "import torch, torchvision" \
    || fail "import torchvision fails after installing torch and torchvision (a mismatched pair?)"

# 3. looplab
"$VENV/bin/python" -m pip install -e "$SOURCE/looplab" || fail "pip could not install looplab from $SOURCE/looplab"

# 4. MNIST
MNIST="$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("mnist", "download"))' "$SETTINGS" 2>/dev/null || echo download)"
case "$MNIST" in
    bundled)
        "$VENV/bin/python" -m grader data --no-download \
            || fail "the MNIST files shipped in the zip are missing or corrupt: rebuild it with looplab gradescope --with-data" ;;
    unused)
        echo "looplab setup: no exercise graded here needs MNIST" ;;
    *)
        "$VENV/bin/python" -m grader data \
            || fail "MNIST could not be downloaded: rebuild the zip with looplab gradescope DIR --with-data on a machine where looplab data has run" ;;
esac
echo "looplab setup: ready"
