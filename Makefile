# chibo — developer entry points. `make run` and `make test` are all a fresh machine needs
# (python3 with its venv module, and make). Run `make help` for the list.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Management commands in development: DEBUG=1 so settings need no SECRET_KEY.
MANAGE := DEBUG=1 $(PY) manage.py
I18N_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=bench
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv run test lint format messages compilemessages system-check check-translations bench

help:
	@echo "make run                 create .venv, install, migrate, load demo data once, serve http://$(HOST):$(PORT)"
	@echo "make test                the whole test suite (PYTEST_ARGS='-k foo' to narrow it)"
	@echo "make lint                ruff check + ruff format --check + the layer contract (lint-imports)"
	@echo "make format              ruff format + ruff check --fix"
	@echo "make messages            update locale/vi/LC_MESSAGES/django.po and compile it"
	@echo "make check-translations  fail on untranslated or fuzzy Vietnamese messages"
	@echo "make bench               run bench/run.py (if bench/ exists)"
	@echo "make venv                create/update .venv only (re-installs when pyproject.toml changes)"

venv: $(STAMP)

# The stamp lives inside .venv, so deleting .venv also forces a reinstall.
$(STAMP): pyproject.toml
	@if ! command -v $(PYTHON) >/dev/null 2>&1; then \
		echo "ERROR: $(PYTHON) not found. Install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)." >&2; \
		exit 1; \
	fi
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
		echo "ERROR: $(PYTHON) is $$($(PYTHON) -V 2>&1); chibo needs Python 3.11 or newer (PYTHON=python3.12 make ...)." >&2; \
		exit 1; \
	fi
	@if [ -x $(PY) ] && ! $(PY) -m pip --version >/dev/null 2>&1; then \
		echo "$(VENV) exists but has no working pip: recreating it."; \
		rm -rf $(VENV); \
	fi
	@if [ ! -x $(PY) ]; then \
		echo "Creating $(VENV) with $$($(PYTHON) -V 2>&1)"; \
		if ! $(PYTHON) -m venv $(VENV); then \
			rm -rf $(VENV); \
			echo "" >&2; \
			echo "ERROR: '$(PYTHON) -m venv' failed. On Debian/Ubuntu the venv module is a separate package:" >&2; \
			echo "           sudo apt-get install python3-venv" >&2; \
			echo "       then run make again." >&2; \
			exit 1; \
		fi; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)
	@echo "$(VENV) is ready."

# Compiles locale/*.po to .mo. The compiled .mo files are committed, so without gettext's
# msgfmt this step is skipped with a notice and the committed catalogue is used.
compilemessages: venv
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(MANAGE) compilemessages --ignore=.venv --verbosity 0; \
	else \
		echo "NOTICE: msgfmt (gettext) not found: skipping compilemessages, using the committed .mo files."; \
		echo "        To compile translations yourself: sudo apt-get install gettext"; \
	fi

# Warn (do not fail) when WeasyPrint cannot load Pango: PDF features and their tests need it.
system-check: venv
	@$(PY) -c 'import weasyprint' >/dev/null 2>&1 || { \
		echo "WARNING: WeasyPrint cannot load Pango/HarfBuzz, so PDF reports will not work. On Debian:"; \
		echo "         sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; }

run: export DEBUG := 1
run: venv compilemessages system-check
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/  (SQLite, Celery eager unless REDIS_URL is set; Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv compilemessages system-check
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: venv
	@command -v xgettext >/dev/null 2>&1 || { echo "ERROR: makemessages needs gettext: sudo apt-get install gettext" >&2; exit 1; }
	$(MANAGE) makemessages -l vi $(I18N_IGNORE)
	$(MANAGE) compilemessages --ignore=.venv

check-translations: venv
	$(PY) scripts/check_translations.py

# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG to change). BENCH_SCALES="province" to run one scale only,
# BENCH_ARGS="--reuse" to keep the databases of an earlier run, BENCH_ARGS="--no-load" to skip the load phase
# (BENCH_LOAD_USERS, BENCH_LOAD_SECONDS: 20 users for 60 s by default).
BENCH_SCALES ?= province x10 large
BENCH_ARGS ?=
bench: venv
	@for scale in $(BENCH_SCALES); do $(PY) bench/run.py --scale $$scale --load $(BENCH_ARGS) || exit 1; done
