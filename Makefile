# Coalition: `make demo` and `make test` are the only commands a new user needs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Coalition and its tools into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| grep -v 'is ignored: it is neither a file nor a directory' || true
	@$(BIN)/python -c 'import coalition, sqlalchemy, alembic, typer, pytest' \
		|| { echo "installation failed"; exit 1; }
	@touch $(STAMP)

install: $(STAMP) ## Create or reuse .venv and install the project into it

demo: $(STAMP) ## Build the demo world on SQLite, show it, then serve its web pages (in a terminal; DEMO_SERVE=no: not)
	@if [ -t 1 ] && [ "$${DEMO_SERVE:-yes}" != no ]; then \
		$(BIN)/coalition demo --serve; \
	else \
		$(BIN)/coalition demo; \
		echo "Not serving (not a terminal, or DEMO_SERVE=no): 'make serve' serves the web pages and the API."; \
	fi

serve: $(STAMP) ## Serve the web pages and the API on http://127.0.0.1:8000/ (COALITION_HOST, COALITION_PORT, WORKERS=1)
	$(BIN)/coalition serve --workers $${WORKERS:-1}

backup: $(STAMP) ## Back up the configured database to one file, safe while it serves: make backup FILE=x.backup
	@test -n "$${FILE:-}" || { echo "name the file: make backup FILE=coalition.backup"; exit 2; }
	$(BIN)/coalition backup "$$FILE"

restore: $(STAMP) ## Restore a backup into the configured, empty database and verify it: make restore FILE=x.backup
	@test -n "$${FILE:-}" || { echo "name the file: make restore FILE=coalition.backup"; exit 2; }
	$(BIN)/coalition restore "$$FILE"

test: $(STAMP) browser lint typecheck contracts shape pytest ## Run every quality gate and the whole test suite

browser: ## Install Debian's chromium for the browser tests when missing (skipped, and said, if it cannot be)
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests ..."; \
		apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"; }

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests

typecheck: $(STAMP) ## mypy (strict on domain, services and the demo world; the fakes against their ports)
	$(BIN)/mypy
	$(BIN)/mypy tests/fakes.py

contracts: $(STAMP) ## import-linter: the layers' dependency rules
	$(BIN)/lint-imports

shape: $(STAMP) ## radon: no function over 60 lines or above complexity 15 (allocation engine and migrations aside)
	$(BIN)/python tools/shape.py

pytest: $(STAMP) ## pytest on SQLite and, when a server answers, PostgreSQL; one process per core, idle ones take queued tests
	$(BIN)/pytest -q -n auto --dist worksteal

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check 'beancount>=3.1' 'beanquery>=0.2' 2>&1 \
		| grep -v 'is ignored: it is neither a file nor a directory' || true
	@touch $(BENCH_STAMP)

bench-ledger: $(BENCH_STAMP) ## Benchmark ledger ingest and the funding report against Beancount (BENCH_SIZES=...)
	$(BIN)/python -m benchmarks.bench_ledger

bench-audit: $(STAMP) ## Time 'audit verify --deep' at 1,000,000 transactions against its one-minute target (BENCH_SIZES=...)
	$(BIN)/python -m benchmarks.bench_audit

bench-allocation: $(STAMP) ## Benchmark the allocation engine against HiGHS on the same LP (BENCH_SIZES=...)
	$(BIN)/python -m benchmarks.bench_allocation

bench-api: $(STAMP) ## Load the HTTP API with wrk on SQLite and PostgreSQL (BENCH_REQUIREMENTS, BENCH_TRANSACTIONS)
	@command -v wrk >/dev/null || { echo "Installing wrk from Debian's packages ..."; apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m benchmarks.bench_api

bench-scale: $(STAMP) ## PostgreSQL served by 1 and by 2 processes under wrk, with a probe of stale reads (BENCH_REQUIREMENTS, BENCH_TRANSACTIONS)
	@command -v wrk >/dev/null || { echo "Installing wrk from Debian's packages ..."; apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m benchmarks.bench_scale

bench-web: $(STAMP) ## Server time of every web page at 100,000 requirements and 1,000,000 transactions (BENCH_DATABASES)
	$(BIN)/python -m benchmarks.bench_web

bench-download: $(STAMP) ## Peak server memory and time of a CSV download of 1,000,000 contributions (BENCH_SIZES=...)
	$(BIN)/python -m benchmarks.bench_download

messages: $(STAMP) ## Gather the pages' texts and merge them into the translation catalogs
	$(BIN)/python -m coalition.entrypoints.web.messages

format: $(STAMP) ## Format and auto-fix the code
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

migration: $(STAMP) ## Draft a new migration from the tables: make migration m="what changed"
	$(BIN)/python -m coalition.adapters.make_migration "$(m)"

clean: ## Remove the virtual environment, caches and the demo database
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

.PHONY: help install demo serve test browser lint typecheck contracts pytest bench-ledger bench-audit bench-allocation bench-api bench-scale bench-web bench-download messages format migration clean
