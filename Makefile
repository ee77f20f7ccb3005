# The two commands of this repository (see README.md):
#   make reproduce   install, then run every notebook on the default synthetic dataset
#   make test        install, then unit tests, reference tests, nbval over notebooks/, end-to-end run
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := wassup-evaluation
DATASET := data/synthetic/wassup
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install reproduce test e2e browser notebooks lab synthetic benchmark clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	touch $(STAMP)

install: $(STAMP)

## make reproduce: every notebook on the default dataset -> reports/default/, figures -> figures/,
## the summary for decision makers -> docs/summary.fi.html
reproduce: install
	$(PY) -m evaluation run $(DATASET) --out reports/default --strict --publish

## make test: the whole suite (unit and reference tests, nbval, the browser test)
test: install browser
	$(PY) -m pytest tests --ignore=tests/e2e
	$(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	$(MAKE) --no-print-directory e2e

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

clean:
	rm -rf reports $(VENV) .pytest_cache
