"""The PyInstaller bundle (``make package`` builds it into dist/msgcopy-viewer): the
same checks as for the wheel, run from a folder outside the source tree.

Building the bundle takes minutes, so the test suite does not build it: these tests run
when a bundle is there and are skipped, saying so, when it is not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from msgcopy_viewer import about

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "dist" / "msgcopy-viewer"
PROGRAM = BUNDLE / ("msgcopy-viewer.exe" if sys.platform == "win32" else "msgcopy-viewer")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not PROGRAM.is_file():
        pytest.skip(f"no bundle at {PROGRAM.relative_to(REPO)}: `make package` builds it")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(PROGRAM), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )


def test_bundle_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"msgcopy-viewer {about.version()}", "the bundle is out of date"
    assert lines[1].startswith("Qt 6.") and lines[2].startswith("PySide6 6.")
    assert result.stderr == ""


def test_bundle_selftest(tmp_path: Path) -> None:
    result = _run(tmp_path, "selftest")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("selftest passed")
    assert result.stderr == ""


def test_bundle_imports_with_worker_processes(tmp_path: Path) -> None:
    """Import workers are started from the bundle's own executable (spawned or forked)."""
    assert _run(tmp_path, "demo-data", "corpus", "--messages", "300").returncode == 0
    result = _run(tmp_path, "import", "corpus", "--case", "c.mcase", "--workers", "2", "--json")
    assert result.returncode == 1, result.stderr  # the demo has deliberately broken files
    assert '"messages_imported": 300' in result.stdout
