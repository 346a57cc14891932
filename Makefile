# The front door. `make run` sets up everything and serves the site; `make test` runs the suite.
.DEFAULT_GOAL := help
SHELL := /bin/sh

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Settings for one-off management commands that need no real secret (checks in lint).
CHECK_ENV := DJANGO_SECRET_KEY=lint-only-not-secret

.PHONY: help run dev test lint format bench bench-cpu bench-insights css audit worker clean

help:
	@echo "make run      set up and serve the site on http://127.0.0.1:$(PORT) (production-like)"
	@echo "make dev      Django's development server with debug on"
	@echo "make test     install the test tools and run the whole test suite"
	@echo "make lint     ruff check, ruff format --check, makemigrations --check"
	@echo "make format   ruff format and safe fixes"
	@echo "make worker   the background task worker on its own (sends the emails)"
	@echo "make bench    load test with wrk (docs/performance.md)"
	@echo "make bench-cpu  CPU time per page and booking, in-process (docs/performance.md)"
	@echo "make bench-insights  the Insights page with 100,000 synthetic requests (docs/performance.md)"
	@echo "make css      regenerate the purged Bootstrap CSS after template changes (commit it)"
	@echo "make audit    Lighthouse scores for the main pages (docs/testing.md)"
	@echo "make clean    delete .venv, node_modules, static files, test and bench output"
	@echo "Docs: README.md and docs/. Fast tests while you work: .venv/bin/python -m pytest -m 'not slow'"

# The virtualenv is made with the first Python 3.12+ that runs (scripts/find-python says how).
$(VENV)/bin/python:
	@python_cmd="$$(scripts/find-python)" || exit 1; \
	echo "Creating $(VENV) with: $$python_cmd"; \
	$$python_cmd -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

# Local settings that must persist between runs (the secret key), never committed.
.env: | $(VENV)/bin/python
	@$(PY) -c "import secrets; print('DJANGO_SECRET_KEY=' + secrets.token_urlsafe(50))" > $@
	@echo "Wrote a new local secret key to .env"

run: $(VENV)/.runtime-installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_content
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_demo_superuser
	@# Two-factor sign-in is on by default (production); off for this local demo unless
	@# `make run DJANGO_REQUIRE_2FA=1`.
	PORT=$(PORT) DJANGO_REQUIRE_2FA=$${DJANGO_REQUIRE_2FA:-0} scripts/serve

# Local development: debug on, tasks inline, two-factor sign-in off.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_TASKS_BACKEND=immediate DJANGO_REQUIRE_2FA=0

dev: $(VENV)/.dev-installed
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py seed_content
	$(DEV_ENV) $(PY) manage.py ensure_demo_superuser
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The HTML checker (vnu.jar, run with Java) and Lighthouse come from npm, pinned in
# package-lock.json. --ignore-scripts: vnu-jar's postinstall would download a JDK, and
# Java comes from apt instead. Without npm (or offline) the HTML validity test skips and
# says why, except in CI, where a failed install fails the run.
node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: the HTML validity test will be skipped (install Node.js 20 and npm)"; \
		[ -z "$$CI" ]; \
	elif npm ci --ignore-scripts --no-audit --no-fund --silent; then \
		touch $@; \
	else \
		echo "npm ci failed: the HTML validity test will be skipped"; \
		[ -z "$$CI" ]; \
	fi

test: $(VENV)/.dev-installed node_modules/.installed
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.runtime-installed .env
	$(PY) manage.py db_worker

# Load test on 127.0.0.1 with wrk (docs/performance.md): about 8 minutes, more with
# DATABASE_URL/REDIS_URL set (PostgreSQL + Redis as well as SQLite).
bench: $(VENV)/.dev-installed .env
	$(PY) bench/run.py

bench-cpu: $(VENV)/.dev-installed .env
	$(PY) bench/cpu.py

bench-insights: $(VENV)/.dev-installed .env
	$(PY) bench/insights.py

# Only the Bootstrap CSS the site uses (docs/performance.md). Run after adding a
# Bootstrap class to a template or form, and commit the regenerated purged file.
css: $(VENV)/.runtime-installed node_modules/.installed
	node scripts/purge-css.mjs "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

audit: $(VENV)/.dev-installed node_modules/.installed .env
	scripts/audit

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts bench/results node_modules
