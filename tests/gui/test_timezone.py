"""Time zones: DST-correct formatting, the combo, and the thread repainting in a new zone."""

from __future__ import annotations

from PySide6.QtCore import Qt

from msgcopy_viewer.ui.timezone import LOCAL_KEY, TimeZoneCombo, TimeZoneSettings
from tests.gui.helpers_browse import (
    big_conversation_id,
    browse_case,
    browse_master,
    browser,
)

__all__ = ["browse_case", "browse_master", "browser"]

SUMMER = 1726515039090  # 2024-09-16T19:30:39.090Z
WINTER = 1704112200000  # 2024-01-01T12:30:00Z


def test_dst_correct(qtbot) -> None:
    tz = TimeZoneSettings()
    assert tz.time_text(SUMMER) == "19:30"
    with qtbot.waitSignal(tz.changed):
        assert tz.set_zone("Europe/Berlin")
    assert tz.time_text(SUMMER) == "21:30" and "CEST (UTC+02:00)" in tz.full_text(SUMMER)
    assert tz.time_text(WINTER) == "13:30" and "CET (UTC+01:00)" in tz.full_text(WINTER)
    tip = tz.tooltip(SUMMER, "2024-09-16T19:30:39.090+0000")
    assert "UTC: 2024-09-16T19:30:39.090Z" in tip and "2024-09-16T19:30:39.090+0000" in tip
    assert not tz.set_zone("Not/AZone") and tz.key == "Europe/Berlin"
    assert tz.set_zone(LOCAL_KEY) and tz.label().startswith("Local")
    # day boundaries follow the zone
    tz.set_zone("Pacific/Auckland")
    assert tz.date_separator(SUMMER).startswith("Tuesday, 17 September 2024")


def test_combo_typing_selects_zone(qtbot) -> None:
    tz = TimeZoneSettings()
    combo = TimeZoneCombo(tz)
    qtbot.addWidget(combo)
    assert combo.itemText(0) == "UTC" and combo.itemText(1).startswith("Local")
    assert combo.accessibleName() == "Time zone"
    combo.lineEdit().setText("Asia/Tokyo")
    with qtbot.waitSignal(tz.changed):
        qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert tz.key == "Asia/Tokyo"
    tz.set_zone("UTC")
    assert combo.currentText() == "UTC"


def test_zone_switch_changes_bubbles(qtbot, browser) -> None:
    b = browser
    view = b.conversations
    view.select_conversation(big_conversation_id(b.case.conn))
    qtbot.waitUntil(lambda: b.thread_view.thread_model.rowCount() > 0)
    model = b.thread_view.thread_model
    index = model.index(model.rowCount() - 1, 0)
    before = b.thread_view.delegate.time_text(index)
    tooltip_before = model.data(index, Qt.ItemDataRole.ToolTipRole)
    b.thread_view.tz_combo.lineEdit().setText("Asia/Kolkata")  # UTC+05:30, no DST
    with qtbot.waitSignal(b.tz.changed):
        qtbot.keyClick(b.thread_view.tz_combo.lineEdit(), Qt.Key.Key_Return)
    after = b.thread_view.delegate.time_text(index)
    assert before != after
    h, m = (int(x) for x in before[:5].split(":"))
    mins = (h * 60 + m + 330) % (24 * 60)
    assert after.startswith(f"{mins // 60:02d}:{mins % 60:02d}")
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert tip != tooltip_before and "IST (UTC+05:30)" in tip and "UTC: " in tip
    # the conversation list follows too
    conv_index = view.conversation_model.index(0, 0)
    assert view.conversation_model.data(conv_index, Qt.ItemDataRole.ToolTipRole)
    b.grab()
