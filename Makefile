# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@# the browser test drives Debian's Chromium; CJK fonts so the Chinese portal renders
	command -v chromium >/dev/null || (apt-get update -qq && \
	  apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) || \
	  echo "could not install chromium: the browser test will skip (and fail under CI=true)"
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/creditcity demo --dir $(DEMO_DIR) --residents 10000

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadgroup -m "not serial"
	$(BIN)/pytest -m serial

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) creditcity.db* .pytest_cache .mypy_cache .ruff_cache
