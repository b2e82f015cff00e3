# KSF kunnskapsportal. `make run` installs everything and serves http://localhost:8000;
# `make test` runs the whole test suite (lint, types, tests). See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run install test lint typecheck pytest worker bench clean messages

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "KSF kunnskapsportal: http://localhost:$(PORT)  (demobrukere: se README)"
	$(PY) manage.py runserver localhost:$(PORT)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install lint typecheck pytest

lint:
	$(VENV)/bin/ruff check .

typecheck:
	$(VENV)/bin/mypy ksf

pytest:
	$(PY) -m pytest $(PYTEST_ARGS)

worker: install
	$(PY) manage.py db_worker

bench: install
	$(PY) -m bench.retrieval --pairs ../shared/data/bench/cochrane-val/pairs.jsonl
	$(PY) -m bench.duplicates --pairs ../shared/data/bench/mqp-dev/pairs.jsonl
	$(PY) -m bench.scale --quick

messages:
	$(PY) manage.py makemessages -l nn -l en --ignore=node_modules --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=node_modules --ignore=.venv

clean:
	rm -rf $(VENV) node_modules var
