#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu base image).
# It installs Python, then torch and torchvision together in one pip command (CPU wheels from
# the same PyTorch release: Gradescope has no GPU), then looplab from ./looplab, then MNIST.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${LOOPLAB_AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"

if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-pip python3-venv
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --upgrade pip
"$VENV/bin/pip" install torch torchvision --index-url https://download.pytorch.org/whl/cpu
"$VENV/bin/pip" install -e "$SOURCE/looplab"

# MNIST (exercise 8): shipped in the zip with --with-data, else downloaded now.
if [ -d "$SOURCE/looplab/data/MNIST/raw" ]; then
    "$VENV/bin/python" -m grader data --no-download
else
    "$VENV/bin/python" -m grader data || echo "looplab: MNIST is not ready; exercise 8's checks will fail"
fi
