# The two commands of this repository (see README.md):
#   make reproduce   install, then run every notebook on the default synthetic dataset
#   make test        install, then unit tests, reference tests, nbval over notebooks/, end-to-end run
# and, while developing, `make check` (under two minutes: lint, format, layers, the fast unit tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := wassup-evaluation
# The exact versions (with hashes) that install, reproduce and test use: `make lock` writes them from
# pyproject.toml for the Python of .python-version on x86-64 Linux (the machine of the README's runs).
PYVER := $(shell cat .python-version)
LOCK := requirements/lock.txt
UV_COMPILE = $(PY) -m uv pip compile pyproject.toml --generate-hashes --python-version $(PYVER) \
	--python-platform x86_64-unknown-linux-gnu --quiet
DATASET := data/synthetic/wassup
export MPLBACKEND := Agg
# One BLAS thread per process: the runner and nbval run kernels two at a time on two cores, and a
# multi-threaded OpenBLAS makes the small factorisations of the comparison's bootstrap many times
# slower when processes compete (src/evaluation/comparison/study.py, compare_trials)
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install reproduce test check e2e browser notebooks lab synthetic benchmark lock lowest clean

$(PY):
	@$(PYTHON) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; sys.exit(0 if v == "$(PYVER)" else \
	"$(PYTHON) is Python " + v + "; the lock ($(LOCK)) is for Python $(PYVER): run make PYTHON=python$(PYVER)")'
	$(PYTHON) -m venv $(VENV)

## install: exactly the locked versions (hash-checked), then this package itself without dependencies
$(STAMP): $(LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	touch $(STAMP)

install: $(STAMP)

## make reproduce: every notebook on the default dataset -> reports/default/, figures -> figures/,
## the summary for decision makers -> docs/summary.fi.html
reproduce: install
	$(PY) -m evaluation run $(DATASET) --out reports/default --strict --publish

## make test: the whole suite (unit and reference tests, nbval, the browser test)
test: install browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest tests --ignore=tests/e2e
	$(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	$(MAKE) --no-print-directory e2e

## make check: the developer's loop, in under two minutes: lint, the layers, the unit tests without
## the slow (notebooks, kernels, the runner) and the heavy ones, on two workers with one BLAS thread
## each (two cores: more threads only wait for each other), then the format check
FAST_TESTS := -m "not slow and not heavy" --ignore=tests/e2e -n 2 -q -p no:cacheprovider
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest tests $(FAST_TESTS)
	$(VENV)/bin/ruff format --check .

## make e2e: every notebook run in JupyterLab in headless Chromium (Debian's chromium on PATH);
## screenshots in reports/screenshots/
e2e: install browser
	$(PY) -m pytest tests/e2e -p no:cacheprovider

## make browser: Debian's chromium for the browser test, installed when missing and allowed
## (root or password-less sudo); otherwise stops at once naming the command to run
browser:
	bash tests/e2e/ensure-chromium.sh

## make notebooks: refresh the committed notebooks' outputs from the default dataset
notebooks: install
	$(PY) -m evaluation refresh-notebooks

## make lab: JupyterLab on notebooks/ with the project's kernel (127.0.0.1 only, token on)
lab: install
	$(PY) -m evaluation lab

## make synthetic: rewrite the committed synthetic dataset (byte-identical for the same seed)
synthetic: install
	$(PY) -m evaluation synthesize --seed 2019 --clients 150 --out $(DATASET)

## make benchmark: 1e4..1e6 clients, ours beside lifelines, scikit-survival and R -> benchmarks/RESULTS.md
benchmark: install
	$(PY) -m evaluation bench --json benchmarks/results.json

## make lock: re-resolve the locked versions from pyproject.toml (uv; then make install, make test)
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(UV_COMPILE) --extra test -o $(LOCK)

## make lowest: the lowest versions pyproject.toml allows (uv's --resolution lowest-direct) in a venv
## of its own, then the unit tests (not the notebook runs, not the hooks, which guard the locked
## versions from above): a floor that is too low fails here (CI runs it after make test)
LOWEST := .venv-lowest
lowest: | $(PY)
	rm -rf $(LOWEST) && $(PYTHON) -m venv $(LOWEST)
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile pyproject.toml --extra test --resolution lowest-direct --python-version $(PYVER) \
		--python-platform x86_64-unknown-linux-gnu --quiet -o $(LOWEST)/requirements.txt
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -r $(LOWEST)/requirements.txt
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -e .
	$(LOWEST)/bin/python -m pytest tests -m "not slow" --ignore=tests/e2e --ignore=tests/test_hooks.py \
		-p no:cacheprovider -q

clean:
	rm -rf reports $(VENV) $(LOWEST) .pytest_cache
