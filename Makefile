# Kinetic Chart: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
# xstatic-bootstrap's sdist needs setuptools < 81 to build (see constraints/build.txt).
# pip before 26.2 reads build constraints from PIP_CONSTRAINT; pip 26.2 and later
# only from PIP_BUILD_CONSTRAINT. Both are set so any pip builds it.
export PIP_CONSTRAINT := $(CURDIR)/constraints/build.txt
export PIP_BUILD_CONSTRAINT := $(CURDIR)/constraints/build.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run dev test install install-test migrate seed lint format bench soak clean

$(VENV)/.installed: pyproject.toml constraints/build.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Serves the demo clinic the way a clinic would run it: gunicorn, DEBUG off, whitenoise,
# the product's own error pages. The relaxed settings for plain HTTP on loopback: demo.env.
run: install
	PORT=$(PORT) ./scripts/run_demo.sh

# Development: Django's server with DEBUG on and auto-reload, on the same demo data.
dev: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Kinetic Chart (development) at http://127.0.0.1:$(PORT)"
	@echo "Demo logins (password for all: kinetic-demo): admin, therapist, therapist2"
	@echo ""
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Test-only browser tools from the npm registry (axe-core), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility browser test will be skipped (or fail in CI)"; fi

# The suite runs on every core (pytest-xdist), one test file per worker at a time, so a
# module's browser and server fixtures stay together. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: install node_modules/.installed
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmark at clinic-chain scale (docs/benchmarks.md). BENCH_DB=postgres for PostgreSQL.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk (Debian package)"; \
	  if [ "$$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
	  $$S apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$S apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .demo node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-output

# Soak: gunicorn on loopback, 16 simulated therapists saving notes and assessments
# for SOAK_SECONDS (default 60) on SQLite and on PostgreSQL (KC_SOAK_PG_URL).
SOAK_SECONDS ?= 60
soak: install
	$(PY) scripts/soak.py --seconds $(SOAK_SECONDS) --users 16 --db sqlite --db postgres
