# One-line targets; `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run serve db demo test lint bench translations

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Install into .venv (only when pyproject.toml changed)

db: install  ## Create or upgrade the database (instance/creditapp.db unless DATABASE_URL)
	$(BIN)/creditapp db upgrade

demo: db  ## Load the demo programs, lenders, population and model (idempotent)
	$(BIN)/creditapp seed-demo

serve: install  ## Serve with gunicorn on http://$(HOST):$(PORT) (settings: gunicorn.conf.py)
	OMP_NUM_THREADS=1 HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) \
		$(BIN)/gunicorn --config gunicorn.conf.py --access-logfile - wsgi:app

run: demo serve  ## Install, upgrade the database, load the demo and serve

test: install  ## Run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest

lint: install  ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install  ## Run every benchmark in quick mode
	for b in bench/[a-z]*.py; do $(BIN)/python -m bench.$$(basename $$b .py) --quick || exit 1; done

translations: install  ## Extract UI texts, update the id/en catalogs and compile them (.mo committed)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o creditapp/translations/messages.pot \
		--no-location --sort-output --project=creditapp .
	$(BIN)/pybabel update -i creditapp/translations/messages.pot -d creditapp/translations \
		--width 100 --no-fuzzy-matching
	$(BIN)/pybabel compile -d creditapp/translations
