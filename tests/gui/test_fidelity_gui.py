"""What is shown is what was received: search highlights after emoji, reports as status lines,
the MMS viewer's Date in the chosen zone (or as recorded), sound-only slides, find in the
thread and jump to a date, empty date filters, plurals."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.browse import get_conversation
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import get_message, iter_messages
from msgcopy_viewer.store.search import MARK_END, MARK_START
from msgcopy_viewer.ui.delegates.bubble_layout import layout_bubble
from msgcopy_viewer.ui.delegates.conversation_delegate import SearchResultDelegate
from msgcopy_viewer.ui.delegates.paint_util import match_spans, utf16_len
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.models.roles import TIME_TEXT_ROLE
from msgcopy_viewer.ui.timezone import RECORDED_KEY, TimeZoneCombo, TimeZoneSettings
from msgcopy_viewer.ui.widgets.inspector import Inspector
from msgcopy_viewer.ui.widgets.search_panel import SearchPanel
from msgcopy_viewer.ui.widgets.thread_view import ThreadView
from tests.gui.helpers_browse import (
    NEEDLE,
    big_conversation_id,
    browse_case,
    browse_master,
    browser,
    needle_rowid,
)
from tests.gui.mms_helpers import (
    import_events,
    import_message,
    mm7,
    mms_event,
    open_viewer,
    part,
    smil,
    text_part,
    wav_bytes,
)
from tests.unit.test_fidelity import READ_REPLY

pytestmark = pytest.mark.gui
__all__ = ["browse_case", "browse_master", "browser", "open_viewer"]

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


# -- item 1: highlights count what Qt counts -----------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [FAMILY + " code ", "e\u0301\u0301 x ", "שלום עולם ", "\U0001f1ec\U0001f1e7 🙂🏽 ", "plain "],
)
def test_search_highlight_lands_on_the_match(qtbot, before: str) -> None:
    snippet = f"{before}{MARK_START}4417{MARK_END} end"
    layout = SearchResultDelegate.snippet_layout(snippet, QFont(), QPalette())
    text = layout.text()
    (fr,) = layout.formats()
    # Qt counts UTF-16 units: the highlight starts where "4417" starts in those units
    assert fr.start == utf16_len(text[: text.index("4417")])
    assert fr.length == 4


def test_find_highlight_spans_count_utf16_units() -> None:
    from msgcopy_viewer.store.search import match_pattern

    text = f"{FAMILY} call\r\nme about 4417"
    spans = match_spans(text, match_pattern("4417"))
    shown = text.replace("\r\n", "\u2028")
    assert spans == [(utf16_len(shown[: shown.index("4417")]), 4)]


# -- item 4: a report is a status line, labelled in the inspector --------------------------------


def test_report_is_a_status_line_and_labelled(qtbot, tmp_path: Path) -> None:
    message, mtype = mm7([text_part("see you")], sender="+12145550111")
    case_path = import_events(
        tmp_path,
        [mms_event(message, mtype, seconds=1), mms_event(READ_REPLY, "text/xml", seconds=5)],
    )
    tz = TimeZoneSettings("UTC")
    with Case.open(case_path) as case:
        msgs = list(iter_messages(case.conn))
        report = msgs[-1]
        assert report.is_report
        lay = layout_bubble(report, 600, QFont(), separator=False, show_name=False)
        assert lay.status is not None and lay.text is None  # no "(empty MMS)" bubble
        assert lay.status.text() == report.report_summary()
        assert lay.bubble.width() < 600 * 0.72
        view = ThreadView(tz)
        qtbot.addWidget(view)
        view.resize(700, 500)
        view.show()
        conv = get_conversation(case.conn, report.conversation_id)
        view.set_conversation(case.conn, conv)
        assert view.thread_model.rowCount() == len(
            [m for m in msgs if m.conversation_id == report.conversation_id]
        )
        assert not view.grab().isNull()  # the status line paints
        last = view.thread_model.index(view.thread_model.rowCount() - 1, 0)
        assert "Read report" in view.delegate.tooltip_text(last)
        assert "warning" not in view.delegate.time_text(last)
        insp = Inspector(tz)
        qtbot.addWidget(insp)
        insp.show_message(case, get_message(case.conn, report.rowid))
        assert "Kind: Read report: Read (Read by the user)" in insp.details_text()
        view.set_conversation(None, None)  # before the case closes


# -- item 5: the MMS viewer's Date follows the zone; "as recorded" ------------------------------


def test_viewer_date_follows_the_zone_and_as_recorded(qtbot, tmp_path: Path, open_viewer) -> None:
    message, mtype = mm7([text_part("hello")])
    event = mms_event(message, mtype)
    event["startTime"] = "2024-07-01T07:00:00.000-0500"  # 12:00 UTC
    case_path = import_events(tmp_path, [event])
    with Case.open(case_path) as case:
        rowid = next(iter_messages(case.conn)).rowid
    tz = TimeZoneSettings("Europe/London")
    from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

    dialog = MmsViewerDialog(case_path, rowid, tz=tz)
    qtbot.addWidget(dialog)
    date = dialog.header.values["Date"]
    assert date.text().startswith("2024-07-01 13:00:00.000 BST (UTC+01:00)")
    tip = date.toolTip()
    assert "UTC: 2024-07-01T12:00:00.000Z" in tip and "2024-07-01T07:00:00.000-0500" in tip
    tz.set_zone("UTC")
    assert date.text().startswith("2024-07-01 12:00:00.000 UTC")
    tz.set_zone(RECORDED_KEY)
    assert date.text().startswith("2024-07-01 07:00:00.000 as recorded (UTC-05:00)")
    dialog.close()
    dialog.shutdown()


def test_as_recorded_is_offered_and_followed_everywhere(qtbot, tmp_path: Path) -> None:
    message, mtype = mm7([text_part("hello")])
    event = mms_event(message, mtype)
    event["startTime"] = "2024-07-01T23:30:00.000-0500"  # 04:30 UTC on 2 July
    case_path = import_events(tmp_path, [event])
    tz = TimeZoneSettings("UTC")
    combo = TimeZoneCombo(tz)
    qtbot.addWidget(combo)
    row = combo.findData(RECORDED_KEY)
    assert row >= 0
    combo.activated.emit(row)
    assert tz.recorded
    with Case.open(case_path) as case:
        m = next(iter_messages(case.conn))
        view = ThreadView(tz)
        qtbot.addWidget(view)
        view.set_conversation(case.conn, get_conversation(case.conn, m.conversation_id))
        index = view.thread_model.index(0, 0)
        assert view.thread_model.data(index, TIME_TEXT_ROLE) == "23:30"
        assert tz.date_separator(m.start_ms, m.start_raw) == "Monday, 1 July 2024"
        assert tz.datetime_text(m.start_ms) == "2024-07-02 04:30 UTC"  # no raw: says UTC
        insp = Inspector(tz)
        qtbot.addWidget(insp)
        insp.show_message(case, get_message(case.conn, m.rowid))
        assert "2024-07-01 23:30:00.000 as recorded (UTC-05:00)" in insp.details_text()
        from msgcopy_viewer.export.transcript import transcript

        assert transcript([m], tz.to_datetime).startswith("[2024-07-01 23:30:00 as recorded]")
        view.set_conversation(None, None)  # before the case closes


# -- item 6: a sound-only slide shows its player ----------------------------------------------


@pytest.mark.parametrize("kind", ["audio", "video"])
def test_sound_or_video_only_slide_shows_its_player(qtbot, tmp_path, open_viewer, kind) -> None:
    if kind == "audio":
        media = part("audio/wav", wav_bytes(1.0), "m1", "voice.wav")
    else:
        media = part("video/3gpp", b"\x00\x00\x00\x14ftyp3gp4" + b"\x00" * 200, "m1", "c.3gp")
    message, mtype = mm7([media], smil([[(kind, "m1", None)]]))
    case_path, rowid = import_message(tmp_path, message, mtype)
    dialog = open_viewer(case_path, rowid)
    view = dialog.slideshow.current_view()
    assert any(isinstance(w, MediaPlayerWidget) for _i, w in view.items)
    texts = [lbl.text() for lbl in view.findChildren(QLabel)]
    assert "This slide is empty." not in texts


# -- item 8: find in the thread, jump to a date --------------------------------------------------


def _thread(qtbot, conn, cid: str, tz: TimeZoneSettings | None = None) -> ThreadView:
    view = ThreadView(tz or TimeZoneSettings("UTC"))
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_conversation(conn, get_conversation(conn, cid))
    return view


def test_find_in_thread_counts_highlights_and_pages(qtbot, browse_case: Path) -> None:
    with Case.open(browse_case) as case:
        view = _thread(qtbot, case.conn, big_conversation_id(case.conn))
        view.list.setFocus()
        qtbot.keyClick(view.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert view.find_bar.isVisible() and view.focusWidget() is view.find_field
        qtbot.keyClicks(view.find_field, NEEDLE)
        qtbot.keyClick(view.find_field, Qt.Key.Key_Return)
        assert view.find_count.text() == "1 of 1"
        current = view.current_item()
        assert current is not None and current.rowid == needle_rowid(case.conn)  # paged to it
        assert view.delegate.find_pattern is not None
        assert view.delegate.find_pattern.search(current.text)
        # a word in every message: "n of 600", next and previous wrap around
        view.find_field.setText("thread")
        qtbot.keyClick(view.find_field, Qt.Key.Key_Return)
        assert view.match_count() == 599  # the needle's message has no "thread"
        first = view.current_match()
        qtbot.keyClick(view.find_field, Qt.Key.Key_Return)
        assert view.current_match() == (first + 1) % 599
        qtbot.keyClick(view.find_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        assert view.current_match() == first
        assert view.find_count.text() == f"{first + 1} of 599"
        view.find_field.setText("nothingmatchesthis")
        view.run_find()
        assert view.find_count.text() == "No matches"
        qtbot.keyClick(view.find_field, Qt.Key.Key_Escape)
        assert not view.find_bar.isVisible() and view.delegate.find_pattern is None
        view.set_conversation(None, None)  # before the case closes


def test_jump_to_date_in_the_chosen_zone(qtbot, browse_case: Path) -> None:
    tz = TimeZoneSettings("America/New_York")
    with Case.open(browse_case) as case:
        cid = big_conversation_id(case.conn)
        view = _thread(qtbot, case.conn, cid, tz)
        # messages every 17 minutes from 2024-09-16T00:00Z; 18 September starts at 04:00Z
        # in New York
        assert view.go_to_date(QDate(2024, 9, 18))
        current = view.current_item()
        assert current is not None
        start = 1726444800000 + 2 * 86_400_000 + 4 * 3_600_000
        assert start <= current.start_ms < start + 17 * 60 * 1000
        older = [m for m in iter_messages(case.conn, cid) if m.start_ms < current.start_ms]
        assert older and older[-1].start_ms < start
        view.set_conversation(None, None)  # before the case closes


# -- item 9: date filters start empty; plurals ----------------------------------------------------


def test_date_filters_start_empty(qtbot) -> None:
    panel = SearchPanel(TimeZoneSettings("UTC"))
    qtbot.addWidget(panel)
    assert panel.from_date.text().strip() == "" and panel.to_date.text().strip() == ""
    panel.from_check.setChecked(True)
    assert panel.filters().from_ms is None  # an empty date is no filter (not "today")
    panel.from_check.setChecked(False)
    panel.from_date.setDate(QDate(2024, 9, 16))
    assert panel.from_check.isChecked()
    assert panel.filters().from_ms == 1726444800000
    panel.clear()
    assert panel.from_date.text().strip() == "" and not panel.from_check.isChecked()


def test_counts_read_right() -> None:
    assert counted(1, "message") == "1 message"
    assert counted(0, "message") == "0 messages"
    assert counted(1234, "file", grouped=True) == "1,234 files"
    assert counted(2, "match") == "2 matches"
    assert counted(1, "other participant") == "1 other participant"


def test_thread_header_says_one_message(qtbot, tmp_path: Path) -> None:
    message, mtype = mm7([text_part("only one")])
    case_path = import_events(tmp_path, [mms_event(message, mtype)])
    with Case.open(case_path) as case:
        m = next(iter_messages(case.conn))
        view = _thread(qtbot, case.conn, m.conversation_id)
        assert "· 1 message" in view.subtitle.text()
        assert "1 messages" not in view.subtitle.text()
        view.set_conversation(None, None)  # before the case closes


def test_ctrl_f_in_the_thread_finds_in_it_not_the_case(qtbot, browser) -> None:
    from tests.gui.test_thread_view import _select_newest_message

    lst = _select_newest_message(qtbot, browser)
    qtbot.keyClick(lst, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    view = browser.thread_view
    assert view.find_bar.isVisible() and view.focusWidget() is view.find_field
    assert browser.search.field.text() == ""
    # Ctrl+F again, in the find bar: the case-wide search
    qtbot.keyClick(view.find_field, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert browser.focusWidget() is browser.search.field
    # elsewhere Ctrl+F is the case-wide search
    browser.subscribers.setFocus()
    qtbot.keyClick(browser.subscribers, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert browser.focusWidget() is browser.search.field


def test_import_times_follow_the_zone() -> None:
    from msgcopy_viewer.store.ledger import Batch
    from msgcopy_viewer.ui.widgets.ledger_dialog import batch_label

    batch = Batch(3, 1719835200000, None, "completed", ["/in/inbox"], "cli", 1, None)  # 12:00Z
    london = batch_label(batch, TimeZoneSettings("Europe/London"))
    assert london.startswith("#3 · 2024-07-01 13:00 ·")
    assert "2024-07-01 12:00 UTC ·" in batch_label(batch, TimeZoneSettings(RECORDED_KEY))
