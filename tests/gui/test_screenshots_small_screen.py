"""Screenshots of the main views at 1280×720, light and dark (docs/screenshots/ with
MSGCOPY_SCREENSHOTS=1, else the test's temporary folder). Each image is checked to be
painted, and painted in the theme asked for."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from tests.gui.test_screenshots import assert_not_blank, save

pytestmark = pytest.mark.gui


def settle(qtbot: Any, ms: int = 200) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def mean_lightness(image: QImage) -> float:
    w, h = image.width(), image.height()
    values = [
        QColor(image.pixel(x, y)).lightness()
        for x in range(0, w, max(1, w // 40))
        for y in range(0, h, max(1, h // 40))
    ]
    return sum(values) / len(values)


def check_theme(image: QImage, theme: str) -> None:
    assert_not_blank(image)
    lightness = mean_lightness(image)
    assert lightness < 110 if theme == "dark" else lightness > 150, (theme, lightness)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_at_1280x720(
    qtbot: Any,
    make_window: Any,
    demo_case_path: Path,
    shots_dir: Path,
    small_screen: QRect,
    theme: str,
) -> None:
    window = make_window()
    window.set_theme(theme)
    window.setGeometry(QRect(0, 0, 1280, 720))
    assert window.open_case(demo_case_path)
    with sqlite3.connect(demo_case_path) as conn:
        (cid,) = conn.execute(
            "SELECT id FROM conversations WHERE is_group = 0 "
            "ORDER BY mms_count DESC, message_count DESC LIMIT 1"
        ).fetchone()
        (mms_rowid,) = conn.execute(
            "SELECT m.rowid FROM messages m JOIN mms_parts p ON p.message_rowid = m.rowid "
            "WHERE m.conversation_id = ? GROUP BY m.rowid ORDER BY count(*) DESC LIMIT 1",
            (cid,),
        ).fetchone()
    browser = window.browser
    browser.conversations.select_conversation(cid)
    view = browser.thread_view
    qtbot.waitUntil(lambda: view.conversation() is not None and view.conversation().id == cid)
    view.list.selectionModel().setCurrentIndex(
        view.thread_model.index(view.thread_model.rowCount() - 1, 0),
        view.list.selectionModel().SelectionFlag.ClearAndSelect,
    )
    settle(qtbot, 500)
    window.statusBar().clearMessage()  # it names the temporary case file
    check_theme(save(window, shots_dir / f"thread-1280x720-{theme}.png"), theme)

    browser.focus_search()
    qtbot.keyClicks(browser.search.field, "thanks")
    browser.search.run_now()
    qtbot.waitUntil(lambda: browser.search.is_active(), timeout=5000)
    settle(qtbot, 400)
    check_theme(save(window, shots_dir / f"search-1280x720-{theme}.png"), theme)

    browser.messageOpened.emit(mms_rowid)
    dialog = window._mms_dialogs[-1]
    settle(qtbot, 500)
    assert dialog.height() <= small_screen.height()
    check_theme(save(dialog, shots_dir / f"mms-viewer-1280x720-{theme}.png"), theme)
    dialog.close()

    ledger = window.show_ledger()
    settle(qtbot)
    check_theme(save(ledger, shots_dir / f"import-ledger-1280x720-{theme}.png"), theme)
    ledger.close()
    window.set_theme("system")
