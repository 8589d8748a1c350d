# The README's commands. `make run` serves the demo; `make test` runs the whole suite on SQLite
# and on PostgreSQL (a throwaway cluster unless DATABASE_URL names one).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint test-sqlite test-postgres browser demo clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CF_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

test-sqlite: install browser
	env -u DATABASE_URL $(BIN)/pytest -q

test-postgres: install
	bash .ci/with-postgres $(BIN)/pytest -q

test: lint test-sqlite test-postgres

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
