"""The app's assets: one folder (resources/), installed as msgcopy_viewer.resources, read
through importlib.resources; the desktop integration files agree with each other."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from fnmatch import fnmatch
from pathlib import Path

import pytest

from msgcopy_viewer import about

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "resources"
PACKAGE = REPO / "msgcopy_viewer"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
DESKTOP = RESOURCES / f"{about.APP_ID}.desktop"
METAINFO = RESOURCES / f"{about.APP_ID}.metainfo.xml"
MIME = RESOURCES / f"{about.APP_ID}.mime.xml"


def test_the_package_list_names_every_package_of_the_source_tree() -> None:
    """setuptools cannot discover msgcopy_viewer.resources (it lives in resources/), so the
    packages are listed: a new subpackage missing from the list would be left out of the
    wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in PACKAGE.rglob("__init__.py")} | {
        "msgcopy_viewer.resources",
        "msgcopy_viewer.resources.icons",
    }
    assert listed == found
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {
        "msgcopy_viewer.resources": "resources"
    }


def test_every_resource_file_goes_into_the_wheel() -> None:
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for path in RESOURCES.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.name == "__init__.py":
            continue
        rel = path.relative_to(RESOURCES)
        package = ".".join(("msgcopy_viewer.resources", *rel.parts[:-1]))
        assert any(fnmatch(rel.name, pat) for pat in data.get(package, [])), rel


def test_assets_are_read_through_the_package_not_the_source_tree() -> None:
    """No module builds a path from its own file (``__file__``) or reads docs/."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "__file__":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} __file__")
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.fullmatch(r"docs(/.*)?", text):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {text!r}")
    assert offenders == []


def test_the_threading_rule_and_icons_load_from_the_package() -> None:
    text = about.threading_rule_text()
    assert text.startswith("# Conversation threading rule")
    assert text == (RESOURCES / "threading-rule.md").read_text(encoding="utf-8")
    svg = about.resource("icons", "app.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")


def test_desktop_file_metainfo_and_mime_type_agree() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Icon"] == about.APP_ID
    assert d["MimeType"].split(";")[0] == about.MIME_TYPE
    assert d["Exec"].split()[0] == "msgcopy-viewer"

    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == about.APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/mediatype") == about.MIME_TYPE
    assert root.find("screenshots/screenshot[@type='default']") is not None
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == about.version()
    assert newest.find("description") is not None  # release notes

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(MIME).getroot().find("m:mime-type", ns)
    assert mime is not None and mime.get("type") == about.MIME_TYPE
    assert mime.find("m:glob", ns).get("pattern") == "*.mcase"  # type: ignore[union-attr]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/sysdeps.sh installs it)")
    return path


def test_desktop_file_validates() -> None:
    result = subprocess.run(
        [_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_appstream_metainfo_validates() -> None:
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
