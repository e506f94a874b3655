# emtihan: the two commands of the README, plus developer helpers.
#   make demo   - create .venv, install, migrate SQLite, load demo data, serve on $(PORT)
#   make test   - create .venv if needed (with test tools) and run the whole suite
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# make test: pytest-xdist workers (auto: one a CPU; 0: no xdist, one process). The tests that
# drive Chromium or the live server run on one worker, in order (emtihan/conftest.py).
TEST_WORKERS ?= auto
BIN = $(VENV)/bin

.PHONY: demo test lint fmt messages check-bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-base: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt
	$(BIN)/pip install -q -r requirements/dev.txt
	touch $@

demo: $(VENV)/.installed-base
	PORT=$(PORT) $(BIN)/python scripts/demo.py

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Style, types, migrations, the import contracts (apps in layers, no import circle, vision
# without Django: pyproject.toml), unused code (scripts/unused_code.py) and the exam page's
# TypeScript types. CI runs this.
lint: $(VENV)/.installed-dev frontend/node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy emtihan
	DJANGO_SETTINGS_MODULE=emtihan.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python scripts/unused_code.py
	cd frontend && npx --no-install tsc --noEmit

# frontend/node_modules as the lock file says (npm ci, as scripts/verify_bundle.sh does),
# installed again whenever the lock file changes. Needs Node 20+.
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make lint: npm is not installed (Node 20+ is needed for the TypeScript check)" >&2; exit 2; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract translatable strings (needs GNU gettext: apt-get install gettext) and
# compile the catalogs; the .mo files are committed so servers need no gettext.
messages: $(VENV)/.installed-dev
	cd emtihan && ../$(BIN)/python ../manage.py makemessages -l kk -l ru -l en --no-obsolete --add-location file -i "tests/*" -i "*/tests/*"
	$(BIN)/python scripts/compile_messages.py

# The exam page's TypeScript bundle is committed; this rebuilds it (needs Node 20+)
# and fails when the committed files differ from a clean build.
check-bundle:
	scripts/verify_bundle.sh

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .import_linter_cache frontend/node_modules
