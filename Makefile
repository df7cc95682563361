# Two commands on a fresh Debian/Ubuntu machine: `make export` and `make test`.
# Each sets up what it needs (virtual environment, Python packages, system libraries) and runs.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SIZES  ?= 16,18,24
OUTPUT ?= output

# System libraries: WeasyPrint needs Pango, fontconfig and HarfBuzz's subsetter at run time;
# `exporter check` (run by `make export`) needs Java for EPUBCheck; braille needs liblouis
# (the library, its tables, and lou_translate); the OpenDyslexic face a reader may choose
# comes from Debian (the other faces from PyPI, see pyproject.toml).
RUN_PACKAGES  := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig openjdk-17-jre-headless \
                 liblouis20 liblouis-data liblouis-bin fonts-opendyslexic
# Test-only tools: pdftotext/pdffonts, pandoc (an independent reader), Java for EPUBCheck,
# Chromium and Node.js for the end-to-end browser tests (axe-core comes from npm), the
# PEF 1.0 schema (inside libbrailleutils-java) to validate the braille PEF against, ffmpeg to
# decode the MP3s independently (leading silence, clip edges), nginx for the tested
# production configuration (deploy/nginx.conf), and redis-server, the broker the Celery
# tests start (on a free loopback port, persistence off).
TEST_PACKAGES := poppler-utils pandoc chromium nodejs libbrailleutils-java ffmpeg nginx redis-server
AXE := tests/browser/node_modules/axe-core/axe.min.js
# Ace by DAISY, the EPUB accessibility checker publishers use (runs with Debian's chromium).
ACE := tests/ace/node_modules/.bin/ace-puppeteer

# Bench-only peers: espeak-ng's own command line (the limit for speech) and pandoc.
BENCH_PACKAGES := espeak-ng pandoc

.PHONY: export corpus test lint bench bench-collection serve worker clean setup setup-test help
.DEFAULT_GOAL := help

help:
	@echo "make export   build every page of source/ in every format into $(OUTPUT)/ (sizes $(SIZES)), then check"
	@echo "make corpus   build and check the test pages (tests/fixtures/pages and .../collection) as one collection in $(OUTPUT)/corpus/"
	@echo "make test     run lint and the test suite"
	@echo "make lint     ruff and mypy --strict"
	@echo "make bench    benchmark; writes bench/RESULTS.md"
	@echo "make bench-collection   200 pages: local pool, two Celery workers, pandoc (about 40 minutes)"
	@echo "make serve    download page and format-request service on 127.0.0.1:8000"
	@echo "make worker BROKER=redis://HOST:6379/0   a Celery worker building pages for exporters"
	@echo "make clean    remove $(OUTPUT)/ and caches"

# Installs missing Debian packages when root; otherwise prints the exact command and stops.
define require_packages
	@installed=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(1) 2>/dev/null | awk '/install ok installed/ {print $$1}'); \
	missing=""; \
	for p in $(1); do \
	  case " $$(echo $$installed) " in *" $$p "*) ;; *) missing="$$missing $$p";; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "Missing system packages:$$missing (install them with your package manager)"; exit 1; \
	  elif [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version 2>&1)); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e . 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c 'import exporter, weasyprint, docx, ebooklib, pdfplumber' && touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(BIN)/python -m pip install -q -e '.[test]' 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c 'import pytest, hypothesis, httpx' && touch $@

# Byte-compiled once here, so a run starts fast even where PYTHONDONTWRITEBYTECODE is set.
$(VENV)/.compiled: $(wildcard exporter/*.py exporter/*/*.py exporter/*/*/*.py) | $(VENV)/.installed-run
	@$(BIN)/python -m compileall -q exporter >/dev/null && touch $@

setup: $(VENV)/.installed-run $(VENV)/.compiled
	$(call require_packages,$(RUN_PACKAGES))

setup-test: setup $(VENV)/.installed-test
	$(call require_packages,$(TEST_PACKAGES))
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is missing. Run: sudo apt-get install -y npm"; exit 1; fi; }
	@$(MAKE) --no-print-directory $(AXE) $(ACE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

# Its Puppeteer and Electron browser downloads are skipped: only npm's registry is used.
$(ACE): tests/ace/package.json tests/ace/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
	  npm ci --prefix tests/ace --no-audit --no-fund --loglevel=error
	@touch $@

# Every page in source/ (a collection: one output folder, one download page).
export: setup
	$(BIN)/exporter export source --to all --size $(SIZES) -o $(OUTPUT) --check

# The realistic test pages (tables, figures, notes, Welsh, Polish ...) and the pages that link
# to them, as one collection: to look at and to check.
corpus: setup
	$(BIN)/exporter export tests/fixtures/pages tests/fixtures/collection --to all --size $(SIZES) \
	  -o $(OUTPUT)/corpus --check

test: setup-test lint
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check exporter tests
	$(BIN)/mypy

bench: setup-test
	$(call require_packages,$(BENCH_PACKAGES))
	$(BIN)/python bench/bench.py

bench-collection: setup-test
	$(call require_packages,$(BENCH_PACKAGES) redis-server)
	$(BIN)/python bench/bench_collection.py

serve: setup
	$(BIN)/exporter serve -o $(OUTPUT) $(if $(BROKER),--broker $(BROKER))

# A Celery worker: takes export jobs from the broker (see README, "Exporting on several machines").
BROKER ?=
worker: setup
	@test -n "$(BROKER)" || { echo "Give the broker: make worker BROKER=redis://HOST:6379/0"; exit 2; }
	$(BIN)/exporter worker --broker $(BROKER)

clean:
	rm -rf $(OUTPUT) .variant-cache .exporter-cache .pytest_cache .mypy_cache .ruff_cache
