"""Jumping to a thread's newest message shows it whole, also once the pictures above it
have loaded (they arrive after the jump and make the rows above taller)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.gui.test_reading_polish import open_demo, settle

pytestmark = pytest.mark.gui


def test_jumping_to_a_threads_newest_message_shows_it_whole(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    with sqlite3.connect(demo_case_path) as conn:
        # busy one-to-one conversations with pictures, each jumped to at its newest message
        rows = conn.execute(
            "SELECT c.last_rowid FROM conversations c WHERE c.is_group = 0 AND c.mms_count > 0 "
            "ORDER BY c.mms_count DESC, c.message_count DESC LIMIT 3"
        ).fetchall()
    assert rows
    window = open_demo(make_window, demo_case_path)
    browser = window.browser
    view = browser.thread_view
    model = view.thread_model

    def shown_pictures_loaded() -> bool:
        # the pictures of the rows on screen (they load when painted, and move the rows)
        viewport = view.list.viewport().rect()
        shas = [
            p.sha256
            for r in range(model.rowCount())
            if view.list.visualRect(model.index(r, 0)).intersects(viewport)
            for p in model.item(r).parts
            if p.kind == "image"
        ]
        return all(browser.thumbnails.peek(s) or browser.thumbnails.is_failed(s) for s in shas)

    for (rowid,) in rows:
        assert browser.open_rowid(rowid)
        qtbot.waitUntil(shown_pictures_loaded, timeout=10_000)
        settle(qtbot, 100)
        qtbot.waitUntil(shown_pictures_loaded, timeout=10_000)  # those that came into view
        settle(qtbot, 100)
        rect = view.list.visualRect(model.index(model.row_of(rowid), 0))
        viewport = view.list.viewport().rect()
        assert viewport.contains(rect), (rowid, rect, viewport)
        assert view.list.currentIndex().row() == model.row_of(rowid)  # still the one chosen
