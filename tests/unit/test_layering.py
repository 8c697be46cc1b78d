"""The layering rules (CONVENTIONS.md): only msgcopy_viewer/ui imports PySide6; the
import-linter contracts of pyproject.toml hold and fail on a violation; ui/ takes no
private names from the rest of the project."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[2] / "msgcopy_viewer"
ENTRY_POINTS = {"cli.py", "selftest.py", "cli_export.py"}


def _non_ui_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


def test_no_qt_import_outside_ui() -> None:
    offenders = []
    for path in _non_ui_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"}:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
                # A core module must not reach up into the GUI either (the entry points:
                # the CLI and its selftest start it, cli_export.py draws PDFs with
                # ui/report_pdf.py).
                if name.startswith("msgcopy_viewer.ui") and path.name not in ENTRY_POINTS:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert offenders == []


def test_core_layers_load_without_qt() -> None:
    modules = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in _non_ui_modules()
        if p.name not in {"__main__.py"}
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m.removesuffix('.__init__'))\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- the contracts of pyproject.toml (import-linter, run by `make lint`) --------------------
ROOT = PACKAGE.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_level() -> set[str]:
    """Every package and module directly under msgcopy_viewer, as a dotted name."""
    names = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()
    }
    return {f"msgcopy_viewer.{n}" for n in names - {"__init__"}}


def test_contracts_cover_every_package() -> None:
    """A package added later (the receiver, reports…) is bound by the contracts too."""
    contracts = _contracts()
    top = _top_level()
    qt_free = top - {"msgcopy_viewer.ui", "msgcopy_viewer.__main__"}
    assert set(contracts["qt-only-in-ui"]["source_modules"]) == qt_free
    assert set(contracts["core-stands-alone"]["forbidden_modules"]) == top - {"msgcopy_viewer.core"}
    above_store = {"msgcopy_viewer.ingest", "msgcopy_viewer.export", "msgcopy_viewer.receiver"}
    assert set(contracts["store-below-ingest-export"]["forbidden_modules"]) == above_store & top


# One injected module per contract: (contract id, new module, its source, the chain that
# lint-imports must report).
VIOLATIONS = [
    ("qt-only-in-ui", "core/_injected_qt.py", "import PySide6.QtCore\n", "PySide6"),
    ("no-sqlite-in-ui", "ui/_injected_sql.py", "import sqlite3\n", "sqlite3"),
    (
        "store-below-ingest-export",
        "store/_injected_up.py",
        "from msgcopy_viewer.ingest import pipeline\n",
        "msgcopy_viewer.ingest.pipeline",
    ),
    (
        "core-stands-alone",
        "core/_injected_store.py",
        "from msgcopy_viewer.store import case\n",
        "msgcopy_viewer.store.case",
    ),
]


def test_each_contract_fails_on_a_deliberate_violation(tmp_path: Path) -> None:
    """lint-imports, run over a copy of the package with one violating module per
    contract, reports every one of them (and names the injected import)."""
    shutil.copytree(PACKAGE, tmp_path / "msgcopy_viewer", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for _contract, where, source, _target in VIOLATIONS:
        (tmp_path / "msgcopy_viewer" / where).write_text(source, encoding="utf-8")
    assert set(_contracts()) == {v[0] for v in VIOLATIONS}
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=100,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    for contract, where, _source, target in VIOLATIONS:
        name = _contracts()[contract]["name"]
        assert f"{name} BROKEN" in out, (contract, out)
        module = "msgcopy_viewer." + where.removesuffix(".py").replace("/", ".")
        assert f"{module} -> {target}" in out, (contract, out)


# -- no private names of other packages in ui/ (import-linter cannot say this) ------------
def private_imports(source: str, filename: str = "<ui module>") -> list[str]:
    """Private (``_``-prefixed, not dunder) names a ui module takes from the rest of the
    project: ``from msgcopy_viewer.store.case import _explain``, a private module
    (``msgcopy_viewer.store._x``), or ``case_module._explain`` on an imported module."""

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    def outside_ui(module: str) -> bool:
        return module.startswith("msgcopy_viewer") and not module.startswith("msgcopy_viewer.ui")

    found: list[str] = []
    imported: set[str] = set()  # local names bound to things of other packages
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not outside_ui(node.module):
                continue
            if any(private(part) for part in node.module.split(".")):
                found.append(f"{filename}:{node.lineno} {node.module}")
            for alias in node.names:
                if private(alias.name):
                    found.append(f"{filename}:{node.lineno} {node.module}.{alias.name}")
                imported.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if outside_ui(alias.name):
                    if any(private(part) for part in alias.name.split(".")):
                        found.append(f"{filename}:{node.lineno} {alias.name}")
                    imported.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and private(node.attr)
        ):
            found.append(f"{filename}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_ui_uses_no_private_names_of_other_packages() -> None:
    offenders = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        rel = str(path.relative_to(PACKAGE))
        offenders += private_imports(path.read_text(encoding="utf-8"), rel)
    assert offenders == []


def test_the_private_name_check_finds_each_form() -> None:
    source = (
        "from msgcopy_viewer.store.case import Case, _explain\n"
        "from msgcopy_viewer.store._internal import thing\n"
        "import msgcopy_viewer.core._helpers\n"
        "from msgcopy_viewer.store import case as case_module\n"
        "case_module._split_sql('')\n"
        "from msgcopy_viewer.ui.models.base import _Private\n"  # ui's own: allowed
        "from msgcopy_viewer import __version__\n"  # dunder: public
        "from . import _sibling\n"  # relative, inside ui: allowed
        "Case.open\n"
    )
    assert private_imports(source, "m.py") == [
        "m.py:1 msgcopy_viewer.store.case._explain",
        "m.py:2 msgcopy_viewer.store._internal",
        "m.py:3 msgcopy_viewer.core._helpers",
        "m.py:5 case_module._split_sql",
    ]
