# Tsunagu: `make run` serves the embedded setup with demo data; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers: three on the 2-core machines the project is tested on, as browser, mail and
# server tests spend part of their time waiting (measured: see docs/operations.md, "Tests").
TEST_WORKERS ?= 3

.PHONY: run test install install-dev lint types pytest messages migrate clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Debug pages (on without SECRET_KEY) are served to other machines only with ALLOW_PUBLIC_DEBUG=1.
# Links in mails, the invitation's copy field and QR codes name the address the site is served at:
# SITE_URL when it is set, else this host and port.
RUN_SITE_URL = $(or $(SITE_URL),http://$(HOST):$(PORT))

run: migrate
	$(BIN)/python manage.py check_run_host $(HOST)
	SITE_URL=$(RUN_SITE_URL) $(BIN)/python manage.py seed_demo --if-empty
	@echo "Tsunagu is running at $(RUN_SITE_URL)/  (Ctrl-C to stop)"
	SITE_URL=$(RUN_SITE_URL) $(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy .

# Under CI=true the PostgreSQL, Redis and browser tests must run; elsewhere they run when the
# services and Chromium are there, and are reported as skipped when they are not. With PostgreSQL
# (CI=true or TSUNAGU_TEST_POSTGRES) the tests that use the test database run on it, but the
# browser journeys and the tests of code that differs between the databases, which run on SQLite
# too (conftest.py); without it everything runs on SQLite.
POSTGRES_PASS = [ "$$CI" = "true" ] || [ -n "$$TSUNAGU_TEST_POSTGRES" ]

pytest: install-dev
	@if [ "$$CI" = "true" ]; then bash scripts/system-deps.sh; fi
	@if $(POSTGRES_PASS); then \
		$(BIN)/pytest -n $(TEST_WORKERS) --beside-postgres --durations=25; else \
		$(BIN)/pytest -n $(TEST_WORKERS); fi
	@if $(POSTGRES_PASS); then \
		DATABASE_URL=$${TSUNAGU_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test} DATABASE_CONN_MAX_AGE=0 \
		$(BIN)/pytest -n $(TEST_WORKERS) --database-tests-only -p no:cacheprovider --durations=25; fi

test: lint types pytest

messages: install-dev
	cd tsunagu && ../$(BIN)/python ../manage.py makemessages -l ja -l en --no-obsolete --add-location file
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
