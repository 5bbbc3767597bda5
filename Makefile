# Two commands do all the set-up: `make run` runs the bot, `make test` runs the tests.
# Each creates (or reuses) the virtualenv in .venv and installs the project into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench bench-burst install clean

$(BIN)/.installed: pyproject.toml sandbox/pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The product and, beside it, its test bed (the sandbox: emulator, fake Slack, terminal driver).
	$(BIN)/python -m pip install --quiet -e '.[test]' -e ./sandbox
	touch $@

install: $(BIN)/.installed

# With INCIDENTIO_API_KEY in the environment (or .env) this serves the bot; with no incident.io
# or Slack settings it starts the sandbox: a local incident.io emulator and a terminal Slack.
# Slack settings without the key: it stops and says why (README.md, Two commands).
run: install
	$(BIN)/incident-bot run

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture bot --min-confidence 80

bench: install
	$(BIN)/python bench/run.py

# Only section 6 of the benchmark (issue #15): the bot against a bare app that opens a modal,
# bursts of 200, 500 and 1000 interleaved, and the largest burst served within 3 s.
bench-burst: install
	$(BIN)/python bench/run.py --only-interleaved

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
