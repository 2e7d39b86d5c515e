# powerlist — make help lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "powerlist needs Python 3.11 or newer")'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install powerlist with its test tools

# The demo always uses its own SQLite file (never a POWERLIST_DATABASE_URL from your shell) and
# reviews the demo year as of the day the demo data describes.
DEMO_ENV := POWERLIST_DATABASE_URL=sqlite:///./var/powerlist.db POWERLIST_REPORTS_DIR=./var/reports \
	POWERLIST_REVIEW_AS_OF=2026-11-01 POWERLIST_ASSESSMENT_AS_OF=2026-11-01

demo: $(STAMP) ## Build the Baotou demo city in SQLite (var/), assess delegations, run the yearly review
	$(DEMO_ENV) $(BIN)/powerlist demo --reset
	$(DEMO_ENV) $(BIN)/powerlist run delegation-assessment --period 2026 --force
	$(DEMO_ENV) $(BIN)/powerlist run yearly-review --period 2026 --force

serve: $(STAMP) ## Serve the API and portal on the demo (runs execute in-process): http://127.0.0.1:8000/
	$(DEMO_ENV) POWERLIST_API_RUN_MODE=in_process $(BIN)/powerlist serve --host 127.0.0.1 --port 8000

test: $(STAMP) lint ## Lint, then run the whole test suite
	$(BIN)/pytest

# Benchmarks never run in `make test`. Province scale needs POWERLIST_TEST_POSTGRES_URL (a server
# where it creates and drops the scratch database powerlist_bench_<pid>) and redis-server on the PATH.
bench: $(STAMP) ## Benchmarks at city (SQLite) and province (PostgreSQL + 1/2 Celery workers) scale
	$(BIN)/python -m benchmarks.run --scale both
	$(BIN)/python -m benchmarks.cli_start

bench-city: $(STAMP) ## The quick benchmark: Baotou on SQLite, in-process
	$(BIN)/python -m benchmarks.run --scale city

print-samples: $(STAMP) ## Print one demo file of each kind with LibreOffice: docs/printing/*.png
	$(BIN)/python -m benchmarks.print_samples --out docs/printing

bench-cli: $(STAMP) ## Command-line start-up against bare Typer + SQLAlchemy (uses var/ demo if built)
	$(BIN)/python -m benchmarks.cli_start

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format and auto-fix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migration: $(STAMP) ## New Alembic revision from the models: make migration m="what changed"
	$(BIN)/python -c 'from alembic import command; from powerlist.db import alembic_config; \
	from powerlist.settings import get_settings; import sys; \
	command.revision(alembic_config(get_settings().database_url), message=sys.argv[1], autogenerate=True)' "$(m)"

clean: ## Remove the demo database and reports (var/)
	rm -rf var

.PHONY: help install demo serve test bench bench-city bench-cli print-samples lint fmt migration clean
