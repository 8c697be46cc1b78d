"""On a 1280×720 screen the main window and the MMS viewer fit; the window comes back where
it was (clamped to the screen), with its panes, zone, theme and recent cases."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget

pytestmark = pytest.mark.gui


def settle(qtbot: Any, ms: int = 100) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def biggest_mms(case: Path) -> int:
    with sqlite3.connect(case) as conn:
        (rowid,) = conn.execute(
            "SELECT m.rowid FROM messages m JOIN mms_parts p ON p.message_rowid = m.rowid "
            "GROUP BY m.rowid ORDER BY count(*) DESC, m.warning_count DESC LIMIT 1"
        ).fetchone()
    return int(rowid)


def inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def test_main_window_fits_a_1280x720_screen(
    qtbot: Any, make_window: Any, demo_case_path: Path, small_screen: QRect
) -> None:
    window = make_window()
    assert small_screen.contains(window.frameGeometry()), window.frameGeometry()
    assert window.open_case(demo_case_path)
    window.browser.open_rowid(biggest_mms(demo_case_path))
    settle(qtbot)
    hint = window.minimumSizeHint()
    assert hint.width() <= small_screen.width() and hint.height() <= small_screen.height()
    assert small_screen.contains(window.frameGeometry())


def test_mms_viewer_fits_a_1280x720_screen(
    qtbot: Any, make_window: Any, demo_case_path: Path, small_screen: QRect
) -> None:
    window = make_window()
    assert window.open_case(demo_case_path)
    window.browser.messageOpened.emit(biggest_mms(demo_case_path))
    dialog = window._mms_dialogs[-1]
    settle(qtbot)
    assert dialog.width() <= small_screen.width()
    assert dialog.height() <= small_screen.height() - 40  # room for the title bar
    assert dialog.minimumSizeHint().height() <= dialog.height()
    for button in (
        dialog.slideshow.prev_button,
        dialog.slideshow.next_button,
        dialog.save_all_button,
        dialog.parts_button,
    ):
        assert button.isVisible() and inside(button, dialog), button.text()
    close = [b for b in dialog.findChildren(QWidget) if getattr(b, "text", None)]
    close = [b for b in close if b.text() == "Close"]
    assert close and inside(close[0], dialog)


def test_window_state_is_remembered_in_the_config_folder(
    qtbot: Any, make_window: Any, demo_case_path: Path, data_dir: Path, small_screen: QRect
) -> None:
    first = make_window()
    first.open_case(demo_case_path)
    first.setGeometry(QRect(60, 40, 1000, 600))
    settle(qtbot)
    first.browser.splitter.setSizes([150, 250, 400, 200])
    wanted_sizes = first.browser.splitter.sizes()
    first.tz.set_zone("Europe/London")
    first.set_theme("dark")
    first.close()

    ini = data_dir / "config" / "msgcopy-viewer.ini"
    stored = QSettings(str(ini), QSettings.Format.IniFormat)
    assert stored.value("view/theme") == "dark"
    assert stored.value("view/time_zone") == "Europe/London"

    second = make_window()
    assert second.geometry() == QRect(60, 40, 1000, 600)
    assert second.tz.key == "Europe/London"
    assert second.theme.choice == "dark" and second.theme_actions["dark"].isChecked()
    assert [p.name for p in second.recent.items()] == [demo_case_path.name]
    second.open_case(demo_case_path)
    settle(qtbot)
    assert second.browser.splitter.sizes() == wanted_sizes
    second.set_theme("system")
    second.close()


def test_restored_geometry_is_clamped_to_the_screen(
    make_window: Any, data_dir: Path, small_screen: QRect
) -> None:
    ini = data_dir / "config" / "msgcopy-viewer.ini"
    stored = QSettings(str(ini), QSettings.Format.IniFormat)
    stored.setValue("window/geometry", QRect(2500, 1400, 2400, 1500))  # a big second screen
    stored.sync()
    window = make_window()
    assert small_screen.contains(window.frameGeometry()), window.frameGeometry()


def test_old_json_settings_are_read_once(make_window: Any, data_dir: Path) -> None:
    config = data_dir / "config"
    config.mkdir()
    (config / "settings.json").write_text('{"time_zone": "America/Chicago"}')
    (config / "recent-cases.json").write_text('["/cases/a.mcase", "/cases/b.mcase"]')
    window = make_window()
    assert window.tz.key == "America/Chicago"
    assert [p.name for p in window.recent.items()] == ["a.mcase", "b.mcase"]
    window.recent.clear()
    assert make_window().recent.items() == []  # not read again
