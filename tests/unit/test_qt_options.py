"""Qt's standard command-line options go to QApplication, not to the import paths."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer import cli
from msgcopy_viewer.qt_options import split_qt_options


def test_split_keeps_order_and_values() -> None:
    qt, rest = split_qt_options(
        ["-style", "fusion", "a.zip", "-platform=offscreen", "--reverse", "-v", "b", "-widgetcount"]
    )
    assert qt == ["-style", "fusion", "-platform=offscreen", "--reverse", "-widgetcount"]
    assert rest == ["a.zip", "-v", "b"]


def test_double_dash_ends_the_options() -> None:
    assert split_qt_options(["--", "-style"]) == ([], ["--", "-style"])
    assert split_qt_options(["-style"]) == ([], ["-style"])  # no value: argparse reports it


def test_gui_gets_qt_options_and_only_real_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "offload"
    folder.mkdir()
    seen: dict[str, Any] = {}

    def fake_run_app(**kw: Any) -> int:
        seen.update(kw)
        return 0

    # the GUI module is replaced: this test runs without Qt
    monkeypatch.setitem(
        sys.modules, "msgcopy_viewer.ui.app", types.SimpleNamespace(run_app=fake_run_app)
    )
    argv = ["-style", "fusion", "-platform", "offscreen", "-reverse", str(folder)]
    assert cli.main([*argv, "--data-dir", str(tmp_path / "data")]) == 0
    assert seen["import_paths"] == [str(folder)]
    assert seen["qt_args"] == ["-style", "fusion", "-platform", "offscreen", "-reverse"]
