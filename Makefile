# Garantie: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the tests.
# The first use creates .venv and installs the project into it (PyPI only).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint typecheck format check messages bench screenshots report-pages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

translations/%.mo: translations/%.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: $(STAMP) $(CATALOGS)
	$(BIN)/sla db upgrade
	$(BIN)/sla users ensure-admin
	$(BIN)/sla demo
	$(BIN)/sla serve

test: $(STAMP) $(CATALOGS)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy sla calendars incidents

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint typecheck test

# Developers: refresh the catalogue after adding strings, then translate translations/fr.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

# Benchmarks print their figures (and the ratio against the peers the issues name).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_calendar.py
	$(BIN)/python benchmarks/bench_targets.py
	$(BIN)/python benchmarks/bench_dashboard.py
	$(BIN)/python benchmarks/bench_alerts.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_penalties.py
	$(BIN)/python benchmarks/bench_directory.py

# The browser tests, saving their screenshots into docs/screenshots (needs /usr/bin/chromium
# and, for French date and time inputs, Debian's chromium-l10n).
screenshots: $(STAMP) $(CATALOGS)
	SLA_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/browser

# The first pages of the demo's monthly report as PNG, into docs/screenshots (needs pdftoppm,
# Debian's poppler-utils).
report-pages: $(STAMP) $(CATALOGS)
	@tmp=$$(mktemp -d) && \
	SLA_APP_INSTANCE_PATH=$$tmp $(BIN)/sla demo >/dev/null && \
	SLA_APP_INSTANCE_PATH=$$tmp $(BIN)/sla reports make --output $$tmp/report.pdf && \
	pdftoppm -r 80 -png -f 1 -l 3 $$tmp/report.pdf docs/screenshots/report-page && \
	rm -rf $$tmp && ls docs/screenshots/report-page-*.png

# axe-core (npm), the accessibility engine the browser tests inject into each page; installed
# into .cache/axe (not committed), pinned. Needs npm (Debian: apt-get install npm).
AXE_VERSION := 4.10.3
.PHONY: axe
axe:
	@grep -qs '"version": "$(AXE_VERSION)"' .cache/axe/node_modules/axe-core/package.json || \
	npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
