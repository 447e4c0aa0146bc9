# zonetrack: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

# Stage commands (python, papermill, zonetrack) must come from the project's environment,
# and Jupyter/IPython/matplotlib keep their state inside it, not in the user's home.
export PATH := $(BIN):$(PATH)
export IPYTHONDIR := $(CURDIR)/$(VENV)/state/ipython
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/state/matplotlib
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(VENV)/state/jupyter-runtime
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# dvc repro; without a DVC remote, its closing "Use `dvc push` …" is noise: there is nowhere to push.
# The outputs stay in this clone's .dvc/cache, from which make back restores them.
REPRO = @echo "dvc repro"; set -o pipefail; if [ -n "$$(dvc remote list)" ]; then dvc repro; else \
	dvc repro | sed -u '/^Use `dvc push` to send your updates to remote storage\.$$/d' && \
	echo "(no DVC remote: the outputs are kept in .dvc/cache of this clone, which make back restores from)"; fi

.PHONY: help setup assess back test lint bench lock lab clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@mkdir -p $(IPYTHONDIR) $(MPLCONFIGDIR) $(JUPYTER_RUNTIME_DIR)
	@touch $(STAMP)

setup: $(STAMP) ## build .venv from requirements.lock (only when missing or stale)

assess: setup ## check params.yaml and the plans, run the whole pipeline (dvc repro), print where the results are
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "make assess needs a git checkout (DVC tracks the pipeline in git)" >&2; exit 1; }
	@# Before DVC reads params.yaml: a broken or hostile file stops here, with its line, not in DVC.
	zonetrack validate
	zonetrack tidy
	$(REPRO)
	@echo
	@for plan in plans/*.yaml; do id=$$(basename $$plan .yaml); echo "Scorecard:  $(CURDIR)/data/processed/$$id/scorecard.csv"; done
	@if [ -f reports/index.html ]; then echo "Reports:    $(CURDIR)/reports/index.html"; fi

back: setup ## the way back: params.yaml, dvc.lock and metrics as committed, then rerun what differs (outputs are recomputed or restored, never deleted)
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "make back needs a git checkout" >&2; exit 1; }
	git checkout HEAD -- params.yaml dvc.lock metrics
	zonetrack validate
	zonetrack tidy
	$(REPRO)
	@echo; echo "Back to the committed plans and settings; data/raw/ is as you left it (git status shows what is not committed)."

test: setup ## run the whole test suite
	$(BIN)/python -m pytest -q

lint: setup ## ruff check and format check
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

bench: setup ## benchmark ingest/evaluate at three sizes (writes metrics/benchmark.json)
	$(BIN)/python scripts/benchmark.py

lock: ## re-resolve requirements.lock from pyproject's dependencies (needs the package index)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --quiet wheel && .lockenv/bin/pip install --quiet --quiet -e '.[dev]'
	{ echo "# Exact versions installed by 'make setup' (Python 3.11). Regenerate with 'make lock'."; \
	  .lockenv/bin/pip freeze --all --exclude-editable | grep -v '^pip==' | sort -f; } > requirements.lock
	rm -rf .lockenv

lab: setup ## install JupyterLab into .venv on demand and open the templates
	$(BIN)/pip install --quiet jupyterlab
	$(BIN)/jupyter lab notebooks/

clean: ## remove the environment and the generated outputs (tracked metrics stay)
	rm -rf $(VENV) data/processed reports metrics/benchmark*.json .pytest_cache
