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

.PHONY: run test install install-test migrate seed lint format bench soak clean

$(VENV)/.installed: pyproject.toml constraints/build.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Kinetic Chart is running at http://127.0.0.1:$(PORT)"
	@echo "Demo logins (password for all: kinetic-demo):"
	@echo "  admin       clinic admin"
	@echo "  therapist   therapist"
	@echo "  therapist2  therapist"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-output

# Soak: gunicorn on loopback, 16 simulated therapists saving notes and assessments
# for SOAK_SECONDS (default 60) on SQLite and on PostgreSQL (KC_SOAK_PG_URL).
SOAK_SECONDS ?= 60
soak: install
	$(PY) scripts/soak.py --seconds $(SOAK_SECONDS) --users 16 --db sqlite --db postgres
