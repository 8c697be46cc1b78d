"""Inspector: provenance, warnings, MIME parts, raw JSON (truncated with Show all), copy."""

from __future__ import annotations

import json

from PySide6.QtGui import QGuiApplication

from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import get_message
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from msgcopy_viewer.ui.widgets.inspector import Inspector, pretty_event
from tests.gui.helpers_browse import browse_case, browse_master, browser, needle_rowid

__all__ = ["browse_case", "browse_master", "browser"]


def test_selected_message_provenance(qtbot, browser) -> None:
    b = browser
    rowid = needle_rowid(b.case.conn)
    b.open_rowid(rowid)
    insp = b.inspector
    qtbot.waitUntil(lambda: insp.message() is not None and insp.message().rowid == rowid)
    text = insp.details_text()
    row = insp.message()
    assert row.source.path in text and row.source.sha256 in text
    assert f"Index in file: {row.source.index}" in text
    assert "Import batch: 1" in text and "Imported:" in text
    assert "startTime (raw): " + row.start_raw in text
    assert "Seen in 1 place" in text
    assert json.loads(insp.raw.toPlainText())["message"] == row.text
    assert not insp.tabs.isTabEnabled(insp.parts_index)  # SMS: no MIME parts
    insp.copy_id.click()
    assert QGuiApplication.clipboard().text() == row.id
    insp.copy_sha.click()
    assert QGuiApplication.clipboard().text() == row.source.sha256


def test_mms_parts_and_zone(qtbot, browse_case) -> None:
    tz = TimeZoneSettings("UTC")
    insp = Inspector(tz)
    qtbot.addWidget(insp)
    with Case.open(browse_case) as case:
        rowid = case.conn.execute(
            "SELECT message_rowid FROM mms_parts WHERE content_type LIKE 'image/%' LIMIT 1"
        ).fetchone()[0]
        row = get_message(case.conn, rowid)
        insp.show_message(case, row)
        assert insp.tabs.isTabEnabled(insp.parts_index)
        assert insp.parts.topLevelItemCount() == len(row.parts)
        types = [insp.parts.topLevelItem(i).text(1) for i in range(insp.parts.topLevelItemCount())]
        assert any(t.startswith("image/") for t in types)
        smil = [insp.parts.topLevelItem(i).text(5) for i in range(insp.parts.topLevelItemCount())]
        assert "SMIL" in smil or "yes" in smil
        sha = row.parts[0].sha256
        assert insp.parts.topLevelItem(0).text(6) == sha
        assert "UTC (UTC+00:00)" in insp.details_text()
        tz.set_zone("America/New_York")
        assert "(UTC-04:00)" in insp.details_text() or "(UTC-05:00)" in insp.details_text()


def test_huge_field_truncated_with_show_all(qtbot) -> None:
    raw = json.dumps({"message": "x" * 50000, "direction": "mt"})
    text, truncated = pretty_event(raw)
    assert truncated and len(text) < 30000 and "Show all" in text
    full, t2 = pretty_event(raw, None)
    assert not t2 and json.loads(full)["message"] == "x" * 50000


def test_copy_buttons_wrap_in_a_narrow_panel(qtbot) -> None:
    """The row of copy buttons wraps instead of setting a wide minimum for the window."""
    insp = Inspector(TimeZoneSettings("UTC"))
    qtbot.addWidget(insp)
    buttons = [insp.copy_id, insp.copy_sha, insp.copy_path, insp.copy_json, insp.copy_value]
    one_row = sum(b.sizeHint().width() for b in buttons)
    assert insp.minimumSizeHint().width() < one_row / 2
    insp.resize(one_row + 100, 500)
    insp.show()
    qtbot.waitExposed(insp)
    qtbot.waitUntil(lambda: len({b.geometry().top() for b in buttons}) == 1)
    insp.resize(max(b.sizeHint().width() for b in buttons) * 2 + 30, 500)
    qtbot.waitUntil(lambda: len({b.geometry().top() for b in buttons}) >= 3)
    for b in buttons:  # every button whole and inside the panel, none overlapping
        assert b.isVisible() and b.geometry().right() <= insp.width()
        assert b.width() == b.sizeHint().width()
    rects = [b.geometry() for b in buttons]
    assert not any(r.intersects(o) for i, r in enumerate(rects) for o in rects[i + 1 :])
    assert max(r.bottom() for r in rects) <= insp.height()
