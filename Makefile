# Chemins: two commands matter, `make run` and `make test`. Both work on a fresh Debian
# machine with Python 3.11+: they create .venv, install what they need and set up storage.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: serving the demo installs the tool and the demo LMS's one dependency; the
# suite adds what testing, linting and benchmarking need. Each is redone when
# pyproject.toml changes.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 5000
LMS_PORT ?= 5001
# The .mo catalogues are built, not committed.
COMPILE_TRANSLATIONS := $(BIN)/pybabel compile -d lti_tool/translations -f

.PHONY: run test lint format system-deps translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[demo]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev,bench,postgresql,demo]'
	touch $@

# Debian packages the suite needs: Chromium for the browser tests, PostgreSQL for the
# second database. Installed only when missing, so a developer machine is left alone.
system-deps:
	@scripts/system-deps.sh

translations: $(RUN_STAMP)
	$(COMPILE_TRANSLATIONS)

# The tool on 127.0.0.1:$(PORT) and the demo LMS on localhost:$(LMS_PORT) (another site,
# so the tool's iframe is really cross-site), registered with each other; Ctrl-C stops both.
run: export CHEMINS_BASE_URL ?= http://127.0.0.1:$(PORT)
run: export CHEMINS_PRIVATE_HOSTS ?= localhost 127.0.0.1
run: $(RUN_STAMP)
	$(COMPILE_TRANSLATIONS)
	$(BIN)/chemins db upgrade
	$(BIN)/chemins demo
	$(BIN)/python -m demo_lms --port $(LMS_PORT)

test: system-deps $(TEST_STAMP)
	$(COMPILE_TRANSLATIONS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/run-tests.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .test-run build *.egg-info
