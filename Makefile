# Two commands matter: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Pinned and installed first: a bare `torch` requirement would pull a CUDA build.
TORCH  ?= torch==2.13.0

.PHONY: demo test docs install install-dev bench bench-quick bench-conv \
        bench-eval clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(TORCH)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(VENV)/bin/pyg-kgt demo

# pytest exits 5 when it collects no test: that is a failure too.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

# Offline build; warnings are errors.
docs: $(VENV)/.installed
	$(PIP) install -q -e '.[docs]'
	$(VENV)/bin/sphinx-build -W -q -b html docs docs/_build/html

# Every benchmark table (hours on 2 cores; resumes where it stopped).
bench: $(VENV)/.installed
	$(PY) -m benchmarks.run

# Every table with a tiny budget (< 10 min), into benchmarks/.work/quick.
bench-quick: $(VENV)/.installed
	$(PY) -m benchmarks.run --quick

bench-conv: $(VENV)/.installed
	$(PY) -m benchmarks.bench_conv

bench-eval: $(VENV)/.installed
	$(PY) -m benchmarks.bench_eval_speed

clean:
	rm -rf $(VENV) build *.egg-info
