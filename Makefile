# 江津区 企业吹哨·部门报到 platform — developer commands. GNU make; only Python 3.11 needs to be installed.
#
#   make demo    start the platform with demo data (SQLite + embedded Celery broker, nothing else needed)
#   make test    run the test suite against PostgreSQL and Redis
#   make help    everything else

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-from-pyproject
MANAGE := $(PY) manage.py

# Interpreter for the virtualenv: python3.11, else python3 if that is 3.11. Override with PYTHON=/path/to/python3.11.
PYTHON ?=

# The test suite runs on PostgreSQL and Redis (like ?=, but an empty value counts as unset too).
ifeq ($(strip $(DATABASE_URL)),)
DATABASE_URL := postgres://postgres@127.0.0.1:5432/jiangjin
endif
ifeq ($(strip $(REDIS_URL)),)
REDIS_URL := redis://127.0.0.1:6379/15
endif
PYTEST_ARGS  ?=

# The demo always runs on SQLite under var/ and kombu's filesystem broker, whatever the shell has set.
DEMO_ENV := env -u DJANGO_DEBUG -u DATABASE_URL -u REDIS_URL JIANGJIN_DEMO=1
VAR_DIR  := $(or $(JIANGJIN_VAR_DIR),var)

.PHONY: help venv install demo demo-data test services-check lint format check deploy-check migrations-check \
        compile-translations clean clean-demo distclean

help: ## Show this help
	@echo "江津区 企业吹哨·部门报到 platform — make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: DATABASE_URL=$(DATABASE_URL)  REDIS_URL=$(REDIS_URL)  (used by 'make test')"
	@echo "           PYTEST_ARGS='-x -k name' passes options to pytest; PYTHON=/path/to/python3.11 picks the interpreter."

# --- environment -------------------------------------------------------------------------------------------

$(PY):
	@py="$(PYTHON)"; \
	if [ -z "$$py" ]; then \
	  for candidate in python3.11 python3; do \
	    if command -v "$$candidate" >/dev/null 2>&1 \
	       && "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	      py="$$candidate"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.11 is required (neither python3.11 nor python3 is 3.11). Install it, or run" >&2; \
	  echo "       'make PYTHON=/path/to/python3.11 ...'." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)

# Re-installs only when pyproject.toml changed since the last successful install.
$(STAMP): pyproject.toml | $(PY)
	PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 $(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP) ## Create .venv (Python 3.11) and install the project with its dev tools
install: $(STAMP) ## Same as venv

compile-translations: $(STAMP) ## Compile locale/*/LC_MESSAGES/*.po to .mo (polib, no GNU gettext needed)
	$(MANAGE) compile_translations

# --- demo --------------------------------------------------------------------------------------------------

demo-data: $(STAMP) ## Prepare var/, translations, static files, migrations, reference and demo data (no server)
	mkdir -p $(VAR_DIR)/broker/queue $(VAR_DIR)/broker/processed $(VAR_DIR)/media $(VAR_DIR)/log
	$(DEMO_ENV) $(MANAGE) compile_translations
	$(DEMO_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	$(DEMO_ENV) $(MANAGE) load_reference
	$(DEMO_ENV) $(MANAGE) build_demo

demo: demo-data ## Start the platform with demo data at http://127.0.0.1:8000/ (Celery worker+beat and web server)
	@bin/demo

# --- quality -----------------------------------------------------------------------------------------------

services-check: $(STAMP) ## Check that PostgreSQL and Redis answer at DATABASE_URL / REDIS_URL
	@DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' $(PY) bin/check-services

test: compile-translations services-check ## Run pytest on PostgreSQL and Redis (DATABASE_URL, REDIS_URL)
	@echo "pytest on DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL)"
	@status=0; \
	env -u JIANGJIN_DEMO -u DJANGO_DEBUG DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' \
	  $(VENV)/bin/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "make test: FAILED — pytest collected no tests (exit code 5). A run without tests is not a pass." >&2; \
	elif [ $$status -ne 0 ]; then \
	  echo "make test: FAILED (pytest exit code $$status)" >&2; \
	fi; \
	exit $$status

lint: $(STAMP) ## ruff check and ruff format --check
	@status=0; \
	$(VENV)/bin/ruff check --output-format=concise . || status=1; \
	$(VENV)/bin/ruff format --check --output-format=concise . || status=1; \
	if [ $$status -ne 0 ]; then echo "make lint: FAILED ('make format' fixes what ruff can)" >&2; fi; \
	exit $$status

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# An in-memory database: the checks never touch (or need) a real one.
check: $(STAMP) migrations-check ## manage.py check, and fail if models changed without a migration
	DATABASE_URL=sqlite://:memory: $(MANAGE) check

# Production settings (no DEBUG, no demo, a throwaway secret key): HTTPS, HSTS, secure cookies, CSP. Warnings fail.
deploy-check: $(STAMP) ## manage.py check --deploy with the production settings; any warning fails
	env -u DJANGO_DEBUG -u JIANGJIN_DEMO DATABASE_URL=sqlite://:memory: DJANGO_ALLOWED_HOSTS=qiye.example.cn \
	  DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(MANAGE) check --deploy --fail-level WARNING

migrations-check: $(STAMP) ## Fail if a model change has no migration (makemigrations --check --dry-run)
	DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

# --- cleaning ----------------------------------------------------------------------------------------------

clean: ## Remove caches, compiled translations, collected static files and build artefacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} + -o -name '*.mo' -type f -exec rm -f {} +
	rm -rf .pytest_cache .ruff_cache .mypy_cache .hypothesis staticfiles build dist *.egg-info .coverage htmlcov

clean-demo: ## Remove the demo's state in var/ (SQLite database, broker queue, uploaded media, logs)
	rm -rf $(VAR_DIR)

distclean: clean clean-demo ## clean + clean-demo + remove .venv
	rm -rf $(VENV)
