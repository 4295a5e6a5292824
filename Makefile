# Every habit has a target. `make run` and `make test` install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AGORA_ENV ?= development

.PHONY: run test test-pg install lint typecheck migrations-check pytest bench bench-protocols bench-writes bench-search bench-live e2e vendor vendor-editor messages format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/agora serve --host 127.0.0.1 --port 8000

test: $(STAMP) lint typecheck migrations-check pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests scripts alembic/env.py
	$(BIN)/ruff format --check app tests scripts alembic/env.py
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix app tests scripts alembic/env.py
	$(BIN)/ruff format app tests scripts alembic/env.py

typecheck: $(STAMP)
	$(BIN)/mypy

# A fresh database must migrate to head, and the models must match the migrations exactly.
migrations-check: $(STAMP)
	$(BIN)/python -m scripts.migrations_check

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term:skip-covered --cov-fail-under=$$(cat .coverage-floor)

# The migration check and the whole suite on a throw-away PostgreSQL server (scripts/pg_tmp.sh;
# needs the PostgreSQL server binaries, e.g. Debian's postgresql package).
test-pg: $(STAMP)
	export AGORA_PG_DIR=$$(mktemp -d -t agora-pg.XXXXXX) && trap 'bash scripts/pg_tmp.sh stop' EXIT && \
	url=$$(bash scripts/pg_tmp.sh start) && export AGORA_TEST_DATABASE_URL="$$url" && \
	$(MAKE) --no-print-directory migrations-check pytest

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e -m browser

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run

# Search on 100k posts / 1M comments over HTTP (tests/bench/bench_search.py; also part of `make bench`).
bench-search: $(STAMP)
	$(BIN)/python -m tests.bench.bench_search

bench-protocols: $(STAMP)
	$(BIN)/python -m tests.bench.protocols

# Sustained mixed writes over HTTP, SQLite and PostgreSQL, 16 and 64 clients (tests/bench/writes.py).
bench-writes: $(STAMP)
	$(BIN)/python -m tests.bench.writes

# Open live streams: memory per stream, idle CPU, write-to-delivery latency (tests/bench/live.py).
bench-live: $(STAMP)
	$(BIN)/python -m tests.bench.live

vendor:
	bash scripts/vendor.sh

# The protocol editor bundle (Yjs + CodeMirror), built with esbuild from pinned npm packages.
vendor-editor:
	bash scripts/build_editor.sh

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k Invalid -k NotFound -k Forbidden -k Conflict -k TooManyRequests -k DomainError -k N_ -o app/locale/messages.pot --no-location --sort-output .
	test -f app/locale/de/LC_MESSAGES/messages.po || $(BIN)/pybabel init -i app/locale/messages.pot -d app/locale -l de
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
