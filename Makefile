# The two commands of the README:
#   make demo   set everything up, measure the sample apps (quick scenario), estimate, open the dashboard
#   make test   set everything up and run lint, type checks and the whole test suite
.PHONY: setup demo test lint
VENV := .venv/bin

setup:
	./infra/setup.sh

demo: setup
	$(VENV)/estimator --version

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

test: lint
	$(VENV)/pytest
