"""A quiet start: nothing on stderr when the app opens; Qt's messages go to the log file.

The app runs in a child process, as a user starts it (``msgcopy-viewer`` through the CLI),
without the test suite's own Qt logging rules, and closes its window once it is shown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

DRIVER = """
import sys
from PySide6.QtCore import QTimer
from msgcopy_viewer.ui import app

create = app.create_main_window

def create_and_close(*args, **kwargs):
    window = create(*args, **kwargs)
    QTimer.singleShot(0, window.close)
    return window

app.create_main_window = create_and_close
from msgcopy_viewer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start(tmp_path: Path, prefix: list[str], platform: str | None) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    data = tmp_path / "data"
    result = subprocess.run(
        [*prefix, sys.executable, "-c", DRIVER, "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    log = (data / "logs" / "msgcopy-viewer.log").read_text(encoding="utf-8")
    return result.stderr, log


def test_offscreen_start_is_quiet(tmp_path: Path) -> None:
    stderr, log = _start(tmp_path, [], "offscreen")
    assert stderr == ""
    assert "main window shown" in log and "msgcopy-viewer exiting" in log


def test_start_under_xvfb_is_quiet(tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run is not installed (scripts/sysdeps.sh installs it)")
    stderr, log = _start(tmp_path, [xvfb, "-a"], None)
    assert stderr == ""
    assert "main window shown" in log
