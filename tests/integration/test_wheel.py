"""The wheel is the whole app: ``pip install`` (not editable) into a fresh virtual
environment, run from a folder outside the source tree.

Slow (about a minute: the install unpacks PySide6, from pip's cache or index), so it
shares one installation between its tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgcopy_viewer import about

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# What the wheel is built from: the rest of the tree (tests, docs, packaging) stays out.
SOURCES = ("pyproject.toml", "README.md", "msgcopy_viewer", "resources")

# The app as a user starts it, closing its window once it is shown, after checking the
# threading rule dialog and the icons.
GUI_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from msgcopy_viewer import about
from msgcopy_viewer.ui import app
from msgcopy_viewer.ui.icons import icon
from msgcopy_viewer.ui.widgets.dialogs import ThreadingRuleDialog

create = app.create_main_window

def check_and_close(window):
    window.act_threading.trigger()
    rule = [w for w in QApplication.topLevelWidgets() if isinstance(w, ThreadingRuleDialog)]
    shown = rule[0].view.toPlainText() if rule else ""
    print("rule dialog:", "ok" if "subscriber" in shown else "missing")
    print("rule text:", about.threading_rule_text().splitlines()[0])
    print("app icon:", "ok" if not QApplication.windowIcon().isNull() else "missing")
    print("icons:", "ok" if not icon("search").pixmap(32, 32).isNull() else "missing")
    print("conversations:", window.browser.conversations.conversation_model.rowCount() > 0)
    for w in rule:
        w.close()
    window.close()

def create_and_check(*args, **kwargs):
    window = create(*args, **kwargs)
    QTimer.singleShot(0, lambda: check_and_close(window))
    return window

app.create_main_window = create_and_check
from msgcopy_viewer.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, src / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("QT_")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    venv.EnvBuilder(with_pip=True).create(base / "venv")
    bindir = base / "venv" / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [
            str(bindir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(src),
        ],
        check=True,
        env=env,
        cwd=base,
        timeout=600,
    )
    run_dir = base / "run"  # outside the source tree
    run_dir.mkdir()
    yield bindir, run_dir, env


def _run(
    installed: tuple[Path, Path, dict[str, str]], *args: str
) -> subprocess.CompletedProcess[str]:
    bindir, run_dir, env = installed
    return subprocess.run(
        [str(bindir / "msgcopy-viewer"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=run_dir,
        timeout=300,
    )


def test_the_installed_package_is_not_the_source_tree(installed) -> None:
    bindir, run_dir, env = installed
    result = subprocess.run(
        [str(bindir / "python"), "-c", "import msgcopy_viewer.about as a; print(a.__file__)"],
        capture_output=True, text=True, env=env, cwd=run_dir, check=True,
    )  # fmt: skip
    assert Path(result.stdout.strip()).is_relative_to(bindir.parent)


def test_version_from_the_wheel(installed) -> None:
    result = _run(installed, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"msgcopy-viewer {about.version()}"
    assert result.stdout.splitlines()[1].startswith("Qt 6.")


def test_selftest_from_the_wheel(installed) -> None:
    result = _run(installed, "selftest")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("selftest passed")


def test_demo_data_from_the_wheel(installed, tmp_path: Path) -> None:
    result = _run(installed, "demo-data", str(tmp_path / "demo"), "--messages", "200")
    assert result.returncode == 0, result.stderr
    assert "200 messages" in result.stdout
    assert any((tmp_path / "demo").rglob("*.json"))


def test_the_app_opens_the_demo_with_its_rule_dialog_and_icons(installed, tmp_path: Path) -> None:
    bindir, run_dir, env = installed
    result = subprocess.run(
        [str(bindir / "python"), "-c", GUI_DRIVER, "--demo", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, env=env, cwd=run_dir, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "rule dialog: ok",
        "rule text: # Conversation threading rule",
        "app icon: ok",
        "icons: ok",
        "conversations: True",
    ]
