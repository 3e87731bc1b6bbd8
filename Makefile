# The two commands of the README: `make serve` and `make test`.
# Everything else here is what those two need on a fresh machine.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DJANGO_DEBUG=true
TEST_ENV := DJANGO_SECRET_KEY=tests-only-secret-key-not-for-production-use-0123456789 \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_ALLOW_ASYNC_UNSAFE=true
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/par
# The development server's port: `make serve PORT=8080`.
PORT ?= 8000
# Test workers per pass (pytest-xdist; each has its own test database): `auto` is one per
# CPU. PYTEST_ARGS picks tests or adds options: `make test-sqlite PYTEST_ARGS=tests/criteria`.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS)
# What a test run must leave as it found it: the files git sees and the changes to tracked
# files (the screenshots, the catalogues), so `make test` also passes on an edited tree.
TREE_STATE := { git status --porcelain --untracked-files=all && git diff HEAD --binary; } | sha256sum

.PHONY: install serve test test-sqlite test-postgres browser lint bench screenshots

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
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# The browser journeys run once, in the PostgreSQL pass. pytest exits non-zero when it
# collects no test at all (5), so an empty selection fails the run too.
test-sqlite: install
	$(TEST_ENV) PAR_SCREENSHOTS_DIR= $(PYTEST) -m "not browser" $(PYTEST_ARGS)

test-postgres: install browser
	@$(PY) -c 'import sys, psycopg2, urllib.parse as u; url = u.urlsplit(sys.argv[1]); \
		psycopg2.connect(u.urlunsplit(url._replace(path="/postgres"))).close()' "$(POSTGRES_URL)" \
		|| (echo "PostgreSQL is not reachable at $(POSTGRES_URL): start it (see README)" >&2; exit 1)
	$(TEST_ENV) PAR_SCREENSHOTS_DIR= DATABASE_URL=$(POSTGRES_URL) $(PYTEST) $(PYTEST_ARGS)

test: install
	@before="$$($(TREE_STATE) 2>&1)"; \
	$(MAKE) --no-print-directory lint test-sqlite test-postgres || exit $$?; \
	if [ "$$before" != "$$($(TREE_STATE) 2>&1)" ]; then \
		echo "The test run changed the project's files; it must leave git status as it was:" >&2; \
		git status --short >&2; exit 1; \
	fi

# The README's screenshots, on purpose: the browser journeys write them only when
# PAR_SCREENSHOTS_DIR is set. They show the day's date: review them, then commit.
screenshots: install browser
	$(TEST_ENV) PAR_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PYTEST) -m browser $(PYTEST_ARGS)

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
