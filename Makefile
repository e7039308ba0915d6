# The two commands README.md opens with: `make serve` and `make test`.
# Both set up everything they need on a fresh machine (virtualenv, packages, browser).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test lint browser audit

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(PY) -m server serve

# Debian's Chromium drives the browser tests (Playwright's own download is not reachable).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: browser tests will skip (apt-get install chromium)"; fi; }

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Known vulnerabilities in what is installed fail the run. (Where the vulnerability
# service cannot be reached, pip-audit lists the packages it could not check.)
audit: $(STAMP)
	$(PY) -m pip_audit --progress-spinner off --skip-editable

test: $(STAMP) browser lint audit
	$(PY) -m pytest
