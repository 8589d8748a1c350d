# The README's commands. `make run` serves the demo; `make test` runs the whole suite on SQLite
# and on PostgreSQL (a throwaway cluster unless DATABASE_URL names one).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install lock lint test-sqlite test-postgres browser demo clean bench schemathesis

# Every dependency is pinned by requirements.lock (a constraints file made by `make lock`).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Re-pin every dependency after changing pyproject.toml (then commit requirements.lock).
lock: install
	$(BIN)/uv pip compile pyproject.toml --all-extras --python-version 3.11 --quiet -o requirements.lock

# The whole system, supervised by honcho (Procfile.dev): the web server, the task worker (e-mail),
# webhook delivery and the scheduler (deadline sweep, purges). Ctrl-C stops them all.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py createcachetable
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@echo "Starting web (http://$(HOST):$(PORT)/), worker, webhooks and scheduler."
	@echo "Each logs to this terminal, its lines prefixed with its name; e-mails print in the worker's lines."
	DEBUG=1 CF_HOST=$(HOST) CF_PORT=$(PORT) SITE_URL=$(SITE_URL) PATH="$(abspath $(BIN)):$$PATH" \
	  $(BIN)/honcho --procfile Procfile.dev start

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

# A longer schemathesis run than the suite's (same seed, 500 examples per operation).
schemathesis: install
	env -u DATABASE_URL CF_SCHEMATHESIS_EXAMPLES=500 $(BIN)/pytest -q -m schemathesis tests/api/test_schemathesis.py

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
