# The two commands: `make demo` (a local control plane with GPU nodes, the operator, the
# example CRs and their status) and `make test` (the whole suite). Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all venv test test-unit test-fast cluster-build tools cluster-up cluster-down demo lint crds golden clean

all: test

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

## The whole suite: unit, integration and e2e tiers against the real local control plane.
test: $(STAMP) cluster-build tools
	$(PY) -m pytest $(PYTEST_ARGS)

## Only the tiers that need no cluster.
test-unit: $(STAMP)
	$(PY) -m pytest -m "not cluster" $(PYTEST_ARGS)

## Everything but the chaos and hostile-input tests.
test-fast: $(STAMP) cluster-build tools
	$(PY) -m pytest -m "not chaos and not hostile" $(PYTEST_ARGS)

## Build (once, cached under ~/.cache/nimop) the control plane binaries.
cluster-build: $(STAMP)
	$(PY) -m tests.cluster build

## Build (once, cached under ~/.cache/nimop/tools) the pinned extra tools tests use (helm, ...).
tools: $(STAMP)
	$(PY) -m tests.tools build

cluster-up: $(STAMP)
	$(PY) -m tests.cluster up

cluster-down: $(STAMP)
	$(PY) -m tests.cluster down

demo: $(STAMP)
	$(PY) deploy/local/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check nimop tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

crds: $(STAMP)
	$(VENV)/bin/nimop crds

golden: $(STAMP)
	NIMOP_UPDATE_GOLDEN=1 $(PY) -m pytest tests/unit/render -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

## Regenerate deploy/base, deploy/overlays, deploy/olm and docs/security.md's RBAC table.
.PHONY: deploy
deploy: $(STAMP)
	$(PY) -m nimop.deploygen
