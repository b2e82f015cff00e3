# KSF kunnskapsportal. `make run` installs everything and serves http://localhost:8000;
# `make test` runs the whole test suite (lint, types, tests). See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run install test lint typecheck pytest worker bench clean messages \
	prod prod-stop prod-status prod-upgrade backup restore a11y permissions api-fuzz api-fuzz-ci load faults

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
	$(VENV)/bin/mypy ksf bench

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

# --- Drift / operations (see README, "Drift / Operations") ---------------------------------
# Production-like on this machine: PostgreSQL + gunicorn on 8001 and 8002 + one worker, DEBUG=0.
prod: install
	deploy/run-local-prod.sh start

prod-stop:
	deploy/run-local-prod.sh stop

prod-status:
	deploy/run-local-prod.sh status

prod-upgrade: install
	deploy/run-local-prod.sh upgrade

# make backup DIR=var/backups/2026-11-23 ; make restore DIR=...  (against the prod setup)
backup:
	deploy/run-local-prod.sh backup $(or $(DIR),var/backups/$(shell date +%Y%m%dT%H%M%S))

restore:
	deploy/run-local-prod.sh restore $(DIR)

# Proof harness.
a11y: install
	CI=$${CI:-true} $(PY) -m pytest tests/test_accessibility.py -q

permissions: install
	$(PY) -m pytest tests/test_permission_matrix.py -q

api-fuzz: install
	$(PY) -m bench.api_fuzz

api-fuzz-ci: install
	$(PY) -m bench.api_fuzz --ci

# 50 browsing + 10 registering users for 2 minutes against `make prod` (starts it if needed).
load: install
	$(PY) -m bench.load.run

faults: install
	$(PY) -m bench.load.faults
