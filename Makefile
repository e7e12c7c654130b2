# newsmon: `make run` starts Airflow with the pipeline, `make test` runs the whole suite.
# Everything (virtualenv, Airflow home, databases) is created on first use, inside this checkout.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

export AIRFLOW_HOME ?= $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION ?= False
export AIRFLOW__CORE__PARALLELISM ?= 4
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS ?= admin:admin
# Airflow's Execution API builds its routes on its first request (10-30 s of CPU on a small machine), and the
# first task's "started" call waited only 5 s for it: on a fresh start that task failed once and was retried.
export AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT ?= 30
export NEWSMON_CONFIG_DIR ?= $(CURDIR)/config
DEMO_PORT ?= 8765

.PHONY: install run demo run-demo run-prod stop-prod test lint bench clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

## Start Airflow (scheduler, DAG processor, triggerer, API server + UI on :8080) with news_monitor.
run: install
	scripts/run.sh

## Run the pipeline once on the bundled demo corpus (127.0.0.1 only) and print the flagged stories.
demo: install
	scripts/demo.sh once

## Like `run`, but polling the demo corpus: the first look at the UI without internet.
run-demo: install
	scripts/demo.sh airflow

## Production profile: PostgreSQL + CeleryExecutor (Redis) + two workers, in the background (DEMO=1: demo corpus).
run-prod: install
	PROD_HOME=$(CURDIR)/airflow_home/prod scripts/prod.sh start

## Stop every component of `run-prod` by process group.
stop-prod:
	PROD_HOME=$(CURDIR)/airflow_home/prod scripts/prod.sh stop

## The static checks, then the whole test suite (SQLite and PostgreSQL, real Airflow, real browser).
## PostgreSQL and Redis: the machine's when they answer, else the suite starts its own (see README).
## Two processes (pytest-xdist): most of the suite's time is spent waiting on Airflow, Celery and the browser.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) tests

## ruff; mypy (include/newsmon, configured in pyproject.toml); deptry: what include/, dags/ and plugins/
## import is declared in pyproject.toml, and what tests/, bench/ and scripts/ import is declared at all
## (there the dev group counts, and not every dependency need be used); pip check: the lock satisfies it.
lint: install
	$(BIN)/ruff check include dags plugins tests bench scripts
	$(BIN)/mypy
	$(BIN)/deptry include dags plugins
	$(BIN)/deptry tests bench scripts --ignore DEP002,DEP004
	$(BIN)/pip check

clean:
	rm -rf $(VENV) airflow_home .pytest_cache
