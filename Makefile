# chithi: set-up, run, test. Everything installs into .venv in the repository root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup setup-system run chat bot test test-llm-server check lint typecheck bench clean llm-install llm-serve

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## setup: the Python packages into .venv, and the Debian packages the file readers use
## (tesseract-ocr with Vietnamese, poppler-utils, antiword, catdoc; chromium and chromedriver
## for the web console's browser tests; postgresql for the database tests) when run as root or with
## passwordless sudo; without them it says what will not be read and goes on.
setup: $(STAMP) setup-system

setup-system:
	@bash scripts/system_packages.sh

## run: the product on its embedded defaults: the Telegram bot when TELEGRAM_BOT_TOKEN is set,
## otherwise an interactive terminal chat over the bundled notices.
run: setup
	$(BIN)/chithi run

chat: setup
	$(BIN)/chithi chat

bot: setup
	$(BIN)/chithi bot

## test: every test but the `slow` ones (real Chroma, real e5 model, local Bot API, OpenAI and
## Chroma servers); pyproject.toml's addopts deselect `slow` and `live`. Minutes on 2 cores.
## pytest exits 5 when it collects no test: not a failure, here or in test-llm-server.
test: setup
	$(BIN)/python -m pytest || [ $$? -eq 5 ]

## test-llm-server: the `slow` tests, against a real llama.cpp server (scripts/llm_server.sh).
## The first run on a machine builds llama-cpp-python from source (~20 min on 2 cores) and
## caches the wheel under ~/.cache/chithi/wheels; later runs only install it.
test-llm-server: setup llm-install
	$(BIN)/python -m pytest -m 'slow and not live' || [ $$? -eq 5 ]

lint: setup
	$(BIN)/ruff format --check bot retrieval vectorstore prompts tests bench
	$(BIN)/ruff check bot retrieval vectorstore prompts tests bench

typecheck: setup
	$(BIN)/mypy

## check: format, lint, types, tests (what a change must pass).
check: lint typecheck test

bench: setup
	$(BIN)/python bench/latency.py

## llm-install / llm-serve: an offline OpenAI-compatible model server (not part of setup).
llm-install:
	bash scripts/llm_server.sh install

llm-serve: llm-install
	bash scripts/llm_server.sh serve $${PORT:-8080}

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
