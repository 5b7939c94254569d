# The few commands people need. `make run` and `make test` create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format unit train check-models evaluate bench translations clean

$(STAMP): pyproject.toml constraints.txt moderation/classifier/_ngrams.c
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null || { echo "Python 3.11 is required (tried: $(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## start the whole service on 127.0.0.1:$${PORT:-8000}
	$(BIN)/moderation run

test: $(STAMP) lint  ## lint, type-check and run the full test suite
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

unit: $(STAMP)  ## fast tests only (no servers, no browser)
	$(BIN)/pytest tests/unit

train: $(STAMP)
	$(BIN)/moderation train

check-models: $(STAMP)  ## retrain into a temporary folder; fails unless models/ is reproduced byte for byte
	$(BIN)/moderation train --check

evaluate: $(STAMP)
	$(BIN)/moderation evaluate

bench: $(STAMP)
	$(BIN)/python bench/classifier.py

# The workspace's English and Russian texts: extract the messages from the code and templates,
# merge them into the Russian catalogue (new ones come out untranslated: fill in their msgstr),
# then compile it. tests/unit/test_translations.py fails while any message lacks a translation.
I18N := moderation/translations
translations: $(STAMP)
	$(BIN)/pybabel extract -F $(I18N)/babel.cfg -k lazy_gettext -k N_ --no-location \
		--sort-output --omit-header -o $(I18N)/messages.pot .
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N) --no-fuzzy-matching \
		--ignore-obsolete --width 100
	$(BIN)/pybabel compile -d $(I18N) --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
