# The two commands of the README: `make serve` and `make test`.
# Everything else here is what those two need on a fresh machine.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DJANGO_DEBUG=true
TEST_ENV := DJANGO_SECRET_KEY=tests-only-secret-key-not-for-production-use-0123456789 \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_ALLOW_ASYNC_UNSAFE=true
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/par

.PHONY: install serve test test-sqlite test-postgres browser lint bench

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12) and "Python >= 3.12 is needed (Django 6.1); see README.")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

serve: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

test-sqlite: install browser
	$(TEST_ENV) $(PY) -m pytest

test-postgres: install browser
	@$(PY) -c 'import psycopg2, sys; psycopg2.connect("$(POSTGRES_URL)".replace("/par", "/postgres")).close()' \
		|| (echo "PostgreSQL is not reachable at $(POSTGRES_URL): start it (see README)" >&2; exit 1)
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest

test: lint test-sqlite test-postgres

# Benchmarks (BENCHMARKS.md), not part of `make test`: pages at three scales and the
# spreadsheet path (`make bench`), the deadline-day load test (`make loadtest`). Both use
# PostgreSQL at 127.0.0.1 (database par_bench, created and dropped by the scripts).
.PHONY: loadtest

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test,bench]"
	touch $@

bench: install $(VENV)/.bench-installed
	$(PY) bench/run.py

loadtest: install $(VENV)/.bench-installed
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(PY) bench/loadtest.py
