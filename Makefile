# The two commands of the README: `make run` (the product, with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_HUB_PORT ?= 8001
export PORT DEMO_HUB_PORT

.PHONY: run test install lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, load the demo, then serve web (gunicorn), the Celery workers, beat and the
## demo hub (honcho; Procfile).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	DEMO_HUB_URL=$${DEMO_HUB_URL-http://127.0.0.1:$(DEMO_HUB_PORT)} SITE_URL=$${SITE_URL-http://127.0.0.1:$(PORT)} \
		$(VENV)/bin/honcho start --procfile Procfile

## make test: install, check the system packages the tests drive, lint (ruff check + ruff format --check),
## check migrations, run every test (fails on any skipped test) on TEST_WORKERS pytest-xdist processes.
# The tests keep their own var/ (database file, broker folder, logs), apart from `make run`'s; each
# xdist worker its own subfolder, database and broker (tests/xdist_worker.py).
TEST_WORKERS ?= 2
test: install
	tests/system_packages.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	VAR_DIR=$(CURDIR)/var/test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) var
