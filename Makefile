# Two commands do everything, set-up included:
#   make serve   build the Kursk dossier and serve it on http://127.0.0.1:8000/
#   make test    run the whole test suite (installs what tests need, Chromium included)
# and one for publishing (what .github/workflows/pages.yml runs):
#   make site    build the site and its PDF into _site/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: serve build site test lint clean

serve: $(VENV)/.installed
	$(BIN)/dossier serve --port $(PORT)

build: $(VENV)/.installed
	$(BIN)/dossier build

# `dossier pdf` builds the site, then renders dossier.pdf into it.
site: $(VENV)/.installed
	$(BIN)/dossier pdf

test: $(VENV)/.installed-test
	scripts/ensure-system-deps
	$(BIN)/ruff check dossier tests build.py
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.installed-test
	$(BIN)/ruff check dossier tests build.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

clean:
	rm -rf $(VENV) _site node_modules
