# looplab: set-up and the two main commands. `make check` grades the reference solutions,
# `make test` runs the kit's whole test suite. Both install what they need into .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# A folder with the four MNIST files (.gz or not) for machines without internet; empty: download.
MNIST_MIRROR ?=

.PHONY: install data check test stubs clean
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# torch and torchvision in ONE install, newest of both: they always match each other.
	@# (Pinning torch to a CPU-only build leaves no matching torchvision on PyPI.)
	$(PY) -m pip install --quiet torch torchvision
	$(PY) -m pip install --quiet -e ".[nbgrader,mutation]"
	$(PY) -c "import torch, torchvision; print('torch', torch.__version__, '/ torchvision', torchvision.__version__)"
	touch $@

data: install
	$(PY) -m grader data $(if $(MNIST_MIRROR),--mirror $(MNIST_MIRROR))

check: data
	$(PY) -m grader check

test: data
	$(PY) -m pytest tests -q -rs

stubs: install
	$(PY) -m grader stubs

clean:
	rm -rf $(VENV) data/MNIST
