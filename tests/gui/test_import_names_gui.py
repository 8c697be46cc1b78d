"""File ▸ Import Names… reads the file on a thread of its own (a large vCard file takes
seconds to parse) and stores the names from the GUI thread; a case closed meanwhile gets
nothing, and says so."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer.store import names as names_store
from msgcopy_viewer.store.names import load_names
from tests.gui.helpers_browse import BIG_OTHER, browse_case, browse_master

__all__ = ["browse_case", "browse_master"]

pytestmark = pytest.mark.gui


def _slow_reader(monkeypatch: pytest.MonkeyPatch, gate: threading.Event) -> list[str]:
    threads: list[str] = []
    real = names_store.read_names_file

    def read(path: Path) -> Any:
        threads.append(threading.current_thread().name)
        assert gate.wait(30)
        return real(path)

    monkeypatch.setattr(names_store, "read_names_file", read)
    return threads


def test_names_are_read_off_the_gui_thread_then_stored(
    qtbot: Any, make_window: Any, browse_case: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(f"number,name\n{BIG_OTHER},Alice Big\nnot a number,Nobody\n", "utf-8")
    gate = threading.Event()
    threads = _slow_reader(monkeypatch, gate)
    window = make_window()
    assert window.open_case(browse_case)
    wb = window.workbench
    wb.import_names_in_background(book)
    qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
    # the window is free while the file is read: the action waits, the status bar says so
    assert threads == ["msgcopy-names-reader"]
    assert not wb.act_import_names.isEnabled()
    assert "Reading names from book.csv" in window.statusBar().currentMessage()
    with qtbot.waitSignal(wb.names_imported, timeout=10_000):
        gate.set()
    assert wb.act_import_names.isEnabled()
    entry = load_names(window.browser.case.conn).lookup(BIG_OTHER)
    assert entry is not None and entry.name == "Alice Big"
    assert window.statusBar().currentMessage().startswith("1 names added")


def test_names_for_a_case_closed_meanwhile_are_not_stored(
    qtbot: Any, make_window: Any, browse_case: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(f"number,name\n{BIG_OTHER},Alice Big\n", "utf-8")
    other = tmp_path / "other.mcase"
    other.write_bytes(browse_case.read_bytes())
    gate = threading.Event()
    threads = _slow_reader(monkeypatch, gate)
    window = make_window()
    assert window.open_case(browse_case)
    wb = window.workbench
    wb.import_names_in_background(book)
    qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
    assert window.open_case(other)  # another case while the file is read
    with qtbot.waitSignal(wb.names_imported, timeout=10_000):
        gate.set()
    assert "not imported: the case was closed" in window.statusBar().currentMessage()
    assert load_names(window.browser.case.conn).lookup(BIG_OTHER) is None
    assert wb.act_import_names.isEnabled()
