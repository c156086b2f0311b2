# Regiotafel. Two commands do everything on a fresh machine with Python >= 3.11 and make:
#   make run   venv, install, migrate, load the demo if the database is empty, serve on :5000
#   make test  venv with the dev extras, the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
PACKAGES := core auth meetings cases audit notify search api demo

.PHONY: run serve test lint typecheck install clean translations lock upgrade

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Regiotafel needs Python 3.11 or newer; set PYTHON=python3.12 or so.")'
	$(PYTHON) -m venv $(VENV)

# Installs come from the locks, every package checked against its hash, then the project itself
# without dependencies: a fresh machine gets exactly what CI tested, today and in six months.
# pyproject.toml keeps the ranges (for installing Regiotafel as a package); `make lock` derives the
# locks from it. The stamp files re-run the install when a lock (or the project) changes.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements.lock
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements-dev.lock
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python tools/lockfile.py installed requirements-dev.lock
	@touch $@ $(VENV)/.installed

# Regenerate both locks from pyproject.toml, keeping every pin that still fits its range.
lock: $(VENV)/.installed-dev
	$(BIN)/python tools/lockfile.py write

# Move every pin to the newest version pyproject.toml allows, install it, and run the whole suite.
upgrade: $(VENV)/.installed-dev
	$(BIN)/python tools/lockfile.py write --upgrade
	$(MAKE) test

install: $(VENV)/.installed

# The scheduler runs beside the web server and stops with it; web workers never run jobs.
# `make run` is for one's own machine: the demo's accounts with their published password, served on
# 127.0.0.1 only. It says so (REGIOTAFEL_ENV=development: a fixed session key, no second factor), as
# the demo and the tests name theirs. Whatever does not say so (wsgi.py under gunicorn or a flask
# command on a server) is production and refuses to start without SECRET_KEY.
run: export REGIOTAFEL_ENV ?= development
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Regiotafel: http://127.0.0.1:$(PORT)  (demo-accounts: zie README.md)"
	@$(BIN)/flask scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - --logger-class core.serving.AccessLog wsgi:app

test: $(VENV)/.installed-dev
	$(BIN)/python tools/lockfile.py check
	$(BIN)/ruff check .
	$(BIN)/mypy $(PACKAGES) tools
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The leak hunter (issue 10, tests/hunt) with a budget of steps, fresh random choices each run: it prints
# what it did (steps, pages, exports, mails, seconds) and, on a leak, the shortest steps that cause it.
# On PostgreSQL when DATABASE_URL names a database of its own (the tests reset its schema).
HUNT_STEPS ?= 2000
.PHONY: hunt
hunt: $(VENV)/.installed-dev
	HUNT_STEPS=$(HUNT_STEPS) $(BIN)/python -m pytest -p no:cacheprovider -o timeout=0 -q -s tests/hunt

# Screenshots for README.md: the browser suite saves the main pages to docs/screenshots/ (1280x800 PNG).
# Only here: an ordinary `make test` never rewrites them.
.PHONY: screenshots
screenshots: $(VENV)/.installed-dev
	REGIOTAFEL_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:cacheprovider -q tests/browser

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-extract every translatable string, merge it into the catalogs and compile them. Translate the
# new and fuzzy entries in core/translations/*/LC_MESSAGES/messages.po, then run this again.
CATALOG := core/translations
translations: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext \
		-k lazy_ngettext:1,2 -o $(CATALOG)/messages.pot $(PACKAGES)
	$(BIN)/pybabel update --no-fuzzy-matching -i $(CATALOG)/messages.pot -d $(CATALOG)
	$(BIN)/pybabel compile -d $(CATALOG) --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

# Drills (issue 13): each bounded in time, prints its figures, exits non-zero when something is lost.
.PHONY: drill-restore drill-crash drill-forms drill-faults drill-load
# A backup made while a writer uploads documents, restored into a fresh database and checked: SQLite,
# and PostgreSQL when one answers on 127.0.0.1:5432 (REGIOTAFEL_DRILL_POSTGRES names another server).
drill-restore: $(VENV)/.installed-dev
	timeout 900 $(BIN)/python -m tools.drill_restore

# gunicorn (2 sync workers) and the scheduler, 20 times one of them killed with SIGKILL while two clients
# write through the forms; then every acknowledged write, no half-written object, the database's
# integrity, the audit chain and every message sent once. SQLite, and PostgreSQL as drill-restore.
drill-crash: $(VENV)/.installed-dev
	timeout 1200 $(BIN)/python -m tools.drill_crash

# Against gunicorn and the scheduler on a throwaway PostgreSQL database: the database unreachable for 30 s
# (a TCP relay cut and restored), the documents' storage full (the server refusing the bytes with SQLSTATE
# 53100) and SMTP down; Dutch 503 pages, nothing half-stored, recovery without a restart, mail sent once.
DRILL_OUTAGE_SECONDS ?= 30
drill-faults: $(VENV)/.installed-dev
	DRILL_OUTAGE_SECONDS=$(DRILL_OUTAGE_SECONDS) timeout 600 $(BIN)/python -m tools.drill_faults

# locust, headless: LOAD_USERS simulated secretariats, participants and readers for LOAD_SECONDS against two
# web nodes (gunicorn, 2 workers each) and two schedulers on a throwaway PostgreSQL database; 0 responses
# >= 500, every acknowledged write in the database, the audit chain whole, each node serving the other's upload.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
drill-load: $(VENV)/.installed-dev
	LOAD_USERS=$(LOAD_USERS) LOAD_SECONDS=$(LOAD_SECONDS) timeout 600 $(BIN)/python -m tools.drill_load

# Every form filled with hostile values, many more examples than `make test` tries, fresh random ones.
HOSTILE_FORMS_EXAMPLES ?= 100
drill-forms: $(VENV)/.installed-dev
	HOSTILE_FORMS_EXAMPLES=$(HOSTILE_FORMS_EXAMPLES) timeout 3600 $(BIN)/python -m pytest -p no:cacheprovider -o timeout=0 -q -s \
		tests/core/test_hostile_forms.py

# Benchmarks: measured here, never in timed unit tests.
# `make bench` (bench/web.py, docs/performance.md): every page next to a bare Flask hello app, both under
# gunicorn with one sync worker and driven by wrk (installed with apt-get when missing), signed in as a
# Rijk and a regio participant, on SQLite and PostgreSQL (127.0.0.1:5432, or BENCH_POSTGRES), at demo and
# large size; then the audit export and `audit verify` of the large trail. Each data set is built once
# (the large one takes about 6 minutes per database on an idle machine) into bench/.data/ and the
# databases regiotafel_bench_*, and reused. A full run took over an hour on 2 busy cores; a quick one:
#   make bench BENCH_DB=sqlite BENCH_SIZE=demo
# Further: BENCH_SECONDS (per measurement), BENCH_PAGES (e.g. home,agenda), BENCH_PERSONAS (rijk or regio),
# BENCH_TOOL=python (no wrk), BENCH_AUDIT=0 (or only). The output is also in bench/.data/latest.md
# (BENCH_OUTPUT names another file there).
BENCH_DB ?= sqlite,postgres
BENCH_SIZE ?= demo,large
BENCH_SECONDS ?= 3
.PHONY: bench bench-audit bench-storage bench-chain
bench: $(VENV)/.installed-dev
	BENCH_DB=$(BENCH_DB) BENCH_SIZE=$(BENCH_SIZE) BENCH_SECONDS=$(BENCH_SECONDS) $(BIN)/python -m bench.web

bench-audit: $(VENV)/.installed-dev
	$(BIN)/python -m bench.audit_export

# Documents in the database against files on disk: a 10 MB file stored and read, uploaded and
# downloaded, on SQLite and (when one answers on 127.0.0.1:5432) PostgreSQL.
bench-storage: $(VENV)/.installed-dev
	$(BIN)/python -m bench.storage

bench-chain: $(VENV)/.installed-dev
	$(BIN)/python -m bench.audit_chain
