# The front door. `make run` sets up everything and serves the site; `make test` runs the suite.
.DEFAULT_GOAL := help
SHELL := /bin/sh

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Settings for one-off management commands that need no real secret (checks in lint).
CHECK_ENV := DJANGO_SECRET_KEY=lint-only-not-secret

.PHONY: help run dev test lint format bench audit worker clean

help:
	@echo "make run      set up and serve the site on http://127.0.0.1:$(PORT) (production-like)"
	@echo "make dev      Django's development server with debug on"
	@echo "make test     install the test tools and run the whole test suite"
	@echo "make lint     ruff check, ruff format --check, makemigrations --check"
	@echo "make format   ruff format and safe fixes"
	@echo "make bench    benchmark with wrk (see README)"
	@echo "make audit    Lighthouse scores for the main pages (see README)"

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
	$(PY) manage.py seed_content
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_demo_superuser
	PORT=$(PORT) scripts/serve

dev: $(VENV)/.dev-installed
	DJANGO_DEBUG=1 DJANGO_TASKS_BACKEND=immediate $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 DJANGO_TASKS_BACKEND=immediate $(PY) manage.py seed_content
	DJANGO_DEBUG=1 DJANGO_TASKS_BACKEND=immediate $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed
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

bench: $(VENV)/.dev-installed .env
	$(PY) bench/run.py

audit: $(VENV)/.dev-installed .env
	scripts/audit

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts bench/results
