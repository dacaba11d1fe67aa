# Fanous: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test lint test-py install demo migrate lock messages i18n-check assets screenshots clean bench

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory i18n-check

# One pytest worker per core (at most 4): the 2-core CI machine runs the suite in about half
# the time. PYTEST_WORKERS=0 runs it in one process (easier to debug).
PYTEST_WORKERS ?= auto
test-py: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --maxprocesses=4

test: lint test-py

# Pictures of the main pages (Arabic and English, phone and desktop) into screenshots/.
screenshots: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -m screenshots -q -p no:randomly

MAKEMESSAGES := $(PY) manage.py makemessages -l ar -l en -l fr --no-location \
	--ignore=.venv --ignore=var --ignore='fanous/*/tests/*' --ignore='fanous/domain/tests/*'

# Update the catalogues after changing UI or error text, then translate the new entries.
messages: install
	$(MAKEMESSAGES)
	$(PY) manage.py compilemessages --ignore=.venv

# Fails when the code has a message the catalogues do not (needs gettext; CI installs it).
i18n-check: install
	@if command -v xgettext >/dev/null; then \
		$(MAKEMESSAGES) >/dev/null && \
		git diff --exit-code -I 'POT-Creation-Date' -- locale/ \
		|| { echo "locale/ is out of date: run 'make messages' and translate"; exit 1; }; \
	else echo "i18n-check skipped: gettext is not installed"; fi

# Regenerate the lock after editing pyproject.toml (needs network to the package index).
lock:
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements.lock

# Front-end assets come from the npm registry (package-lock.json pins them) and are copied
# into the repository, so field offices and `make run` need neither Node nor a CDN.
VENDOR := fanous/web/static/vendor
# axe-core (MPL-2.0) only serves the accessibility tests (tests/vendor/); it is never served.
TEST_VENDOR := fanous/web/tests/vendor
assets:
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/fonts $(VENDOR)/icons/fonts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/LICENSE $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE $(VENDOR)/htmx/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 $(VENDOR)/icons/fonts/
	cp node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2 \
	   node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2 \
	   node_modules/@fontsource/noto-sans-arabic/LICENSE $(VENDOR)/fonts/
	mkdir -p $(TEST_VENDOR)
	cp node_modules/axe-core/axe.min.js $(TEST_VENDOR)/axe.min.js
	cp node_modules/axe-core/LICENSE $(TEST_VENDOR)/axe-core.LICENSE

clean:
	rm -rf $(VENV) var/*.sqlite3

# Performance at national scale (BENCHMARKS.md): generates BENCH_CASES synthetic cases in a
# PostgreSQL database (DATABASE_URL, default fanous_bench on 127.0.0.1; created if missing;
# reused if it already holds that size and seed), then measures the main pages.
#   BENCH_CASES=100000 make bench       (default)
#   BENCH_CASES=1000000 make bench      (generation first: 27 minutes on the host of BENCHMARKS.md)
BENCH_CASES ?= 100000
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.bench $(PY) -m fanous.synthetic.ensure_db
	DJANGO_SETTINGS_MODULE=config.settings.bench $(PY) manage.py migrate --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_CASES=$(BENCH_CASES) $(PY) manage.py bench
