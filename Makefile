# The two promises of the README: `make demo` and `make test`, on a fresh machine.
SHELL := /bin/bash
UV_VERSION := 0.13.9
# uv from PyPI, run as a module so it works wherever pip put it.
UV := python3 -m uv
RUN := $(UV) run --frozen
export DAGSTER_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1

.PHONY: setup demo test test-fast benchmark lint clean

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced

demo: setup
	$(RUN) tidbok demo

test: setup
	$(RUN) pytest

test-fast: setup
	$(RUN) pytest -m "not e2e and not browser"

benchmark: setup
	$(RUN) python -m benchmarks

lint: setup
	$(RUN) ruff check .

clean:
	rm -rf data dbt/target dbt/logs .pytest_cache
