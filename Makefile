# The two commands README.md opens with: `make serve` and `make test`.
# Both set up everything they need on a fresh machine (virtualenv, packages, browser).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

LOCK := requirements.lock
# The runtime packages alone, at the same versions (the Docker image installs these).
RUNTIME_LOCK := requirements-runtime.lock

.PHONY: serve test lint browser proxy audit lock js model

# The venv holds exactly the versions in requirements.lock (runtime and test packages,
# pip included, each with its sha256 hashes), then the project itself without its deps.
# `pip check` fails when pyproject.toml asks for something the lock does not give.
# The hashes are those of the files on PyPI, so the lock installs from any PyPI mirror.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check || { echo "$(LOCK) does not match pyproject.toml: run make lock" \
	  "(or remove $(VENV) if it holds packages from before the lock)"; exit 1; }
	touch $(STAMP)

# Regenerates requirements.lock from pyproject.toml (dependencies + the test extra) with
# pip-tools, for the Python that runs it (CI: 3.11 on Linux). Pins already in the lock are
# kept where pyproject.toml still allows them; `make lock LOCK_ARGS=--upgrade` moves all to
# the newest release, `LOCK_ARGS='--upgrade-package NAME'` one. Needs the package index;
# review the diff and run `make test` before committing the lock.
LOCK_ARGS ?=
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'pip-tools>=7.4'
	$(PY) -m piptools compile --quiet --extra test --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
	  --output-file $(LOCK) pyproject.toml
	$(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --constraint $(LOCK) \
	  --output-file $(RUNTIME_LOCK) pyproject.toml

serve: $(STAMP)
	$(PY) -m server serve

# Debian's Chromium drives the browser tests (Playwright's own download is not reachable).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: browser tests will skip (apt-get install chromium)"; fi; }

# Debian's nginx (the light build) fronts two app processes with TLS in tests/deploy/,
# and Debian's docker-compose checks docker-compose.yml (`docker-compose config`, no engine).
proxy:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "nginx missing: proxy tests will skip (apt-get install nginx-light)"; fi; }
	@command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; \
	  else echo "docker-compose missing: the compose check will skip (apt-get install docker-compose)"; fi; }

# The browser's modules alone, under Node's own test runner (no dependency): store, sync
# engine, undo, geometry, the frame rule F1 (the table shared with pytest), i18n
# fallback. Node is on every machine (the fuzz tests run the engine under it too).
js:
	node --test tests/js/

# The page's copy of the domain model (defaults, limits, session shape), generated and
# pinned by tests/server/test_client_model.py: run after changing objects.py or facilitation.py.
model: $(STAMP)
	$(PY) -m server.domain.client_model > web/js/model.generated.js

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m mypy --strict tools/audit.py

# pip-audit checks every package in requirements.lock (hashed, so without pip: --disable-pip)
# against its vulnerability service (PyPI's by default; AUDIT_ARGS='-s osv' for OSV).
# Packages it cannot check are looked up at PyPI's project endpoint (valid where the lock
# pins the newest release). A known vulnerability fails the run; what still could not be
# checked is named as "NOT AUDITED" and passes unless SAMSKAP_AUDIT_REQUIRED=1.
AUDIT_ARGS ?=
audit: $(STAMP)
	$(PY) tools/audit.py -r $(LOCK) --disable-pip $(AUDIT_ARGS)

test: $(STAMP) js browser proxy lint audit
	$(PY) -m pytest
