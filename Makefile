# msgcopy-viewer: `make run` opens the app on a demo case, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench sysdeps venv clean format package install-desktop

run: sysdeps $(STAMP)
	$(PY) -m msgcopy_viewer --demo

test: sysdeps $(STAMP)
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(VENV)/bin/ruff check msgcopy_viewer tests benchmarks packaging
	$(VENV)/bin/ruff format --check msgcopy_viewer tests benchmarks packaging
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format msgcopy_viewer tests benchmarks packaging
	$(VENV)/bin/ruff check --fix msgcopy_viewer tests benchmarks packaging

bench: sysdeps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/import_throughput.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/mms_import.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/mms_open.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_scale.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/export_reports.py

sysdeps:
	@scripts/sysdeps.sh

# The one-folder PyInstaller bundle in dist/msgcopy-viewer/ (packaging/README.md), checked
# with its own selftest.
PKG_STAMP := $(VENV)/.package-installed
package: sysdeps $(PKG_STAMP)
	$(PY) -m PyInstaller packaging/msgcopy-viewer.spec --noconfirm --log-level WARN \
		--distpath dist --workpath build/pyinstaller
	dist/msgcopy-viewer/msgcopy-viewer selftest

$(PKG_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e '.[dev,package]'
	@touch $(PKG_STAMP)

# Menu entry, icon, .mcase file type and AppStream metainfo for the current user
# (under $$XDG_DATA_HOME, by default ~/.local/share), starting this checkout's app.
install-desktop: $(STAMP)
	$(PY) -m msgcopy_viewer install-desktop --exec "$(abspath $(VENV))/bin/msgcopy-viewer"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
