# The README's commands. `make run` serves the demo; `make test` runs the whole suite on SQLite
# and on PostgreSQL (a throwaway cluster unless DATABASE_URL names one), then the queue tests
# again with tasks and the cache on Redis (a throwaway redis-server).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install lock lint test-sqlite test-postgres test-queue test-long browser demo clean bench bench-national property backup-drill schemathesis

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

# --- Test suites (H12a: both cores, the queue run on Redis, the long runs) ------------------------
# Each suite runs on PYTEST_WORKERS processes (pytest-xdist; each file stays on one worker, and
# each worker gets its own test database). PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

# The schemathesis run counts what it sent per operation in one process (its last test checks
# that every operation was covered), so it runs on its own, not spread over xdist workers; it
# tests the API against its schema, which does not depend on the database, so on SQLite only.
test-sqlite: install browser
	env -u DATABASE_URL $(BIN)/pytest -q $(XDIST) -m "not schemathesis"
	env -u DATABASE_URL $(BIN)/pytest -q -p no:xdist -m schemathesis tests/api/test_schemathesis.py

test-postgres: install
	bash .ci/with-postgres $(BIN)/pytest -q $(XDIST) -m "not schemathesis"
	$(MAKE) backup-drill

# Dump the demo with pg_dump -Fc, restore it into a fresh database, check it (docs/deploy.md).
backup-drill: install
	PYTHON=$(BIN)/python bash .ci/with-postgres bash .ci/backup-drill

# The worker, outbox, scheduler and shared-cache tests again with TASKS_URL and CACHE_URL on a
# throwaway Redis (.ci/with-redis), on PostgreSQL. One process: the tests share that Redis.
test-queue: install
	CF_QUEUE_RUN=1 bash .ci/with-postgres bash .ci/with-redis sh -c \
	  'TASKS_URL=$$CF_TEST_REDIS_URL/0 CACHE_URL=$$CF_TEST_REDIS_URL/1 exec $(BIN)/pytest -q -m queue'

test: lint test-sqlite test-postgres test-queue

# On demand, not in `make test`: the schema fuzz and the property tests with many more examples.
LONG_EXAMPLES ?= 1000
test-long: install
	env -u DATABASE_URL CF_LONG_EXAMPLES=$(LONG_EXAMPLES) $(BIN)/pytest -q $(XDIST) \
	  tests/api/test_schemathesis.py tests/public/test_leaks.py tests/workflows/test_calendar.py
# --- end of the test suites ----------------------------------------------------------------------

# The stateful property test of the casework services, run long (CI runs it bounded).
property: install
	CF_PROPERTY_EXAMPLES=$${CF_PROPERTY_EXAMPLES:-500} CF_PROPERTY_STEPS=$${CF_PROPERTY_STEPS:-50} \
		$(BIN)/pytest -q -p no:cacheprovider tests/property

# A longer schemathesis run than the suite's (same seed, 500 examples per operation).
schemathesis: install
	env -u DATABASE_URL CF_SCHEMATHESIS_EXAMPLES=500 $(BIN)/pytest -q -m schemathesis tests/api/test_schemathesis.py

bench: install
	$(BIN)/python bench/run.py

# The national-scale benchmark (docs/benchmarks.md): DATABASE_URL names a database loaded by
# `manage.py seed_scale` (cloned, never written), or a throwaway PostgreSQL is seeded at SCALE.
SCALE ?= 0.1
bench-national: install
	$(BIN)/python bench/national.py --scale $(SCALE)

clean:
	rm -rf $(VENV) var
