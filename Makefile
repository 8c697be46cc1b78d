# msgcopy-viewer: `make run` opens the app on a demo case, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench sysdeps venv clean format

run: sysdeps $(STAMP)
	$(PY) -m msgcopy_viewer --demo

test: sysdeps $(STAMP)
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(VENV)/bin/ruff check msgcopy_viewer tests benchmarks
	$(VENV)/bin/ruff format --check msgcopy_viewer tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format msgcopy_viewer tests benchmarks
	$(VENV)/bin/ruff check --fix msgcopy_viewer tests benchmarks

bench: sysdeps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/import_throughput.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/mms_import.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/mms_open.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_scale.py

sysdeps:
	@scripts/sysdeps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
