# The two commands of the README:
#   make demo   set everything up, measure the sample apps (quick scenario), price them,
#               write the cost reports, open the dashboard on the fresh results
#   make test   set everything up, then lint, type checks and the whole test suite
# Optional:
#   make interpreters   build CPython 3.14, 3.14t (free-threaded), 3.13.15/3.13.15t (slow)
.PHONY: setup demo test lint interpreters
VENV := .venv/bin
# the demo's traffic: 400 req/s at the busiest hour, a day/night profile, us-east-1 prices
DEMO_ESTIMATE := --peak-rps 400 --profile diurnal --region us-east-1

setup:
	./infra/setup.sh

demo: setup
	$(VENV)/estimator run quick
	$(VENV)/estimator estimate $(DEMO_ESTIMATE)
	mkdir -p reports
	$(VENV)/estimator report $(DEMO_ESTIMATE) -o reports/quick.html
	$(VENV)/estimator report $(DEMO_ESTIMATE) -o reports/quick.json
	$(VENV)/estimator dashboard

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

test: lint
	$(VENV)/pytest

interpreters:
	./infra/build-interpreters.sh
