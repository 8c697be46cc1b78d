"""Browser: selection → thread bubbles, jumps, paging older messages, MMS open, empty state."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from msgcopy_viewer.store.browse import ConversationInfo
from msgcopy_viewer.ui.models.roles import ROW_ROLE
from msgcopy_viewer.ui.widgets.browser import EMPTY_HINT
from tests.gui.helpers_browse import (
    BIG_OTHER,
    big_conversation_id,
    browse_case,
    browse_master,
    browser,
    needle_rowid,
)

__all__ = ["browse_case", "browse_master", "browser"]


def _select_conversation(qtbot, b, cid: str) -> None:
    view = b.conversations
    row = view.conversation_model.row_of(cid)
    assert row >= 0
    index = view.conversation_model.index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(
        lambda: b.thread_view.conversation() is not None and b.thread_view.conversation().id == cid
    )


def _select_newest_message(qtbot, b):
    """Open the big conversation and select its newest message with the keyboard (End);
    returns the bubble list, focused."""
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    lst = b.thread_view.list
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: b.inspector.message() is not None)
    return lst


def test_empty_state_then_case(qtbot, browse_case) -> None:
    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.browser import Browser

    b = Browser(TimeZoneSettings())
    qtbot.addWidget(b)
    b.show()
    assert b.pages.currentWidget() is b.empty and b.empty.text() == EMPTY_HINT
    b.set_case(browse_case)
    assert b.pages.currentWidget() is b.splitter
    assert b.conversations.conversation_model.rowCount() > 0
    b.set_case(None)
    assert b.pages.currentWidget() is b.empty
    b.shutdown()


def test_select_conversation_shows_latest_bubbles(qtbot, browser) -> None:
    b = browser
    cid = big_conversation_id(b.case.conn)
    _select_conversation(qtbot, b, cid)
    model = b.thread_view.thread_model
    assert 0 < model.rowCount() < 600  # paged, not all rows
    qtbot.waitUntil(lambda: bool(b.thread_view.visible_rowids()))
    last = model.item(model.rowCount() - 1)
    assert last.rowid in b.thread_view.visible_rowids()  # opened at the newest message
    # header says who and why
    assert BIG_OTHER in b.thread_view.title.text()
    assert "Grouped: messages between" in b.thread_view.grouping.text()
    assert "any direction" in b.thread_view.grouping.text()
    # sent right, received left
    lst = b.thread_view.list
    rows = [r for r in range(model.rowCount()) if lst.visualRect(model.index(r, 0)).isValid()]
    mo = next(r for r in reversed(rows) if model.item(r).direction == "mo")
    mt = next(r for r in reversed(rows) if model.item(r).direction == "mt")
    cache = b.thread_view.delegate._cache
    lay_mo = next(v for k, v in cache.items() if k[0] == model.item(mo).rowid)
    lay_mt = next(v for k, v in cache.items() if k[0] == model.item(mt).rowid)
    width = lst.viewport().width()
    assert lay_mo.bubble.right() > width * 0.8 and lay_mt.bubble.left() < width * 0.2


def test_scrolling_up_pages_in_older(qtbot, browser) -> None:
    b = browser
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    model = b.thread_view.thread_model
    first = model.rowCount()
    top_before = model.item(0).key
    b.thread_view.list.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: model.rowCount() > first)
    assert model.item(0).key < top_before


def test_open_message_jumps_and_highlights(qtbot, browser) -> None:
    b = browser
    rowid = needle_rowid(b.case.conn)
    mid = b.case.conn.execute("SELECT id FROM messages WHERE rowid = ?", (rowid,)).fetchone()[0]
    with qtbot.waitSignal(b.selectionChanged) as sig:
        b.open_message(mid)
    assert sig.args[0] is not None and sig.args[0].rowid == rowid
    assert b.conversations.current_id() == b.thread_view.conversation().id
    model = b.thread_view.thread_model
    assert model.highlight_rowid == rowid
    qtbot.waitUntil(lambda: rowid in b.thread_view.visible_rowids())
    assert b.inspector.message().rowid == rowid


def test_mms_enter_emits_message_opened(qtbot, browser) -> None:
    b = browser
    rowid = b.case.conn.execute(
        "SELECT message_rowid FROM mms_parts WHERE content_type LIKE 'image/%' LIMIT 1"
    ).fetchone()[0]
    assert b.open_rowid(rowid)
    lst = b.thread_view.list
    assert lst.currentIndex().data(ROW_ROLE).rowid == rowid
    lst.setFocus()
    with qtbot.waitSignal(b.messageOpened) as sig:
        qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert sig.args == [rowid]
    # the thumbnail arrives off the GUI thread and is then painted
    item = lst.currentIndex().data(ROW_ROLE)
    sha = item.images[0].sha256
    qtbot.waitUntil(lambda: b.thumbnails.get(sha) is not None or b.thumbnails.is_failed(sha))
    b.grab()


def test_keyboard_down_moves_selection_and_inspector(qtbot, browser) -> None:
    b = browser
    lst = _select_newest_message(qtbot, b)
    first = b.inspector.message().rowid
    qtbot.keyClick(lst, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: b.inspector.message().rowid != first)


def test_refresh_after_import_keeps_selection(qtbot, browser, tmp_path) -> None:
    import json

    from msgcopy_viewer.ingest.pipeline import Importer
    from tests.gui.helpers_browse import big_event

    b = browser
    cid = big_conversation_id(b.case.conn)
    _select_conversation(qtbot, b, cid)
    count = b.conversations.conversation_model.rowCount()
    ev = big_event(5000)
    ev["otherParty"]["number"] = "13125550000"
    ev["message"] = "brand new conversation"
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "n.json").write_text(json.dumps({"smsEvent": [ev]}), encoding="utf-8")
    report = Importer(b.case_path, workers=1).run([folder])
    b.refresh(set())
    assert report.messages_imported == 1
    assert b.conversations.conversation_model.rowCount() == count + 1
    top: ConversationInfo = b.conversations.conversation_model.conversation(0)
    assert "13125550000" in top.title
    assert b.conversations.current_id() == cid
    assert b.thread_view.conversation().id == cid


def test_shortcuts_listed(browser) -> None:
    keys = [k for k, _d in browser.shortcuts()]
    assert "Ctrl+F" in keys and "Alt+3" in keys


def test_threading_rule_dialog(qtbot, browser) -> None:
    b = browser
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    qtbot.mouseClick(b.thread_view.rule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: b.thread_view.rule_dialog.isVisible())
    text = b.thread_view.rule_dialog.findChild(QTextBrowser)
    assert "conversation" in text.toPlainText().lower()
    b.thread_view.rule_dialog.close()


def test_the_selected_message_stays_selected_while_pages_come_and_go(
    qtbot, browser, monkeypatch
) -> None:
    """Rows dropped at one end of the window while pages load at the other must not
    change which message is selected (Qt would move the current index to a neighbour,
    and the inspector would show a message the user never chose)."""
    from msgcopy_viewer.ui.models import thread_model

    monkeypatch.setattr(thread_model, "MAX_ROWS", 120)  # trims after a few pages
    b = browser
    tv = b.thread_view
    lst, model = _select_newest_message(qtbot, b), tv.thread_model
    chosen = b.inspector.message().rowid
    assert model.item(model.rowCount() - 1).rowid == chosen
    seen: list[object] = []
    tv.messageSelected.connect(seen.append)
    sb = lst.verticalScrollBar()
    for _ in range(8):  # well past the window: the chosen row is dropped
        oldest = model.item(0).key
        sb.setValue(0)
        qtbot.waitUntil(lambda oldest=oldest: model.item(0).key < oldest)
    assert model.row_of(chosen) < 0  # its row was dropped ...
    assert seen == []  # ... and nobody was told another message was chosen
    assert b.inspector.message().rowid == chosen
    assert not lst.currentIndex().isValid()
    # back down: when the row is read again it is selected again, quietly
    for _ in range(40):
        if model.row_of(chosen) >= 0:
            break
        newest = model.item(model.rowCount() - 1).key
        sb.setValue(sb.maximum())
        qtbot.waitUntil(lambda newest=newest: model.item(model.rowCount() - 1).key > newest)
    row = model.row_of(chosen)
    assert row >= 0
    qtbot.waitUntil(lambda: lst.currentIndex().row() == model.row_of(chosen))
    assert seen == []
    assert b.inspector.message().rowid == chosen


def test_scrolling_page_by_page_never_skips_messages(qtbot, browser, monkeypatch) -> None:
    """Each step of one screen moves the first visible message by one screen, never
    more (skipped messages) and never less (a step stopped where a page was loading), in
    both directions, while pages are added and dropped (a small window forces both)."""
    from PySide6.QtCore import QPoint

    from msgcopy_viewer.ui.models import thread_model

    monkeypatch.setattr(thread_model, "MAX_ROWS", 120)
    b = browser
    cid = big_conversation_id(b.case.conn)
    order = [
        r[0]
        for r in b.case.conn.execute(
            "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY start_ms, rowid",
            (cid,),
        )
    ]
    rank = {rowid: n for n, rowid in enumerate(order)}
    lst, model = b.thread_view.list, b.thread_view.thread_model
    b.open_rowid(order[0])  # from the oldest message down to the newest, then back up
    sb = lst.verticalScrollBar()
    sb.setValue(0)
    step = lst.viewport().height()

    def top() -> int:
        qtbot.wait(1)  # queued page loads run
        item = model.item(lst.indexAt(QPoint(8, 8)).row())
        assert item is not None
        return rank[item.rowid]

    per_screen = len(b.thread_view.visible_rowids())  # rows at least partly on screen
    for direction in (+1, -1):
        moves = []
        last = top()
        for _ in range(60):
            sb.setValue(sb.value() + direction * step)
            now = top()
            moves.append((now - last) * direction)
            last = now
        # row heights differ a little; the last step stops at the end of the thread
        assert all(0 <= m <= per_screen + 2 for m in moves), moves
        # pages come in ahead of the reader: no step stops short where a page was loaded
        assert len([m for m in moves if 0 < m < per_screen - 2]) <= 1, moves
        assert sum(moves) > 3 * thread_model.MAX_ROWS // 2  # went well past the window


def test_arrow_keys_walk_message_by_message_across_pages(qtbot, browser, monkeypatch) -> None:
    """Up and Down move the selection (and the inspector) one message at a time, in order,
    through page loads and dropped rows."""
    from msgcopy_viewer.ui.models import thread_model

    monkeypatch.setattr(thread_model, "MAX_ROWS", 120)
    b = browser
    lst = _select_newest_message(qtbot, b)

    def shown() -> tuple[int, int]:  # the inspector's message, in thread order
        row = b.inspector.message()
        return (row.start_ms, row.rowid)

    for key, steps in ((Qt.Key.Key_Up, 130), (Qt.Key.Key_Down, 130)):
        seen = [shown()]
        for _ in range(steps):
            qtbot.keyClick(lst, key)
            qtbot.wait(1)  # queued page loads run
            seen.append(shown())
        pairs = list(pairwise(seen))
        if key == Qt.Key.Key_Up:
            assert all(newer > older for newer, older in pairs)
        else:
            assert all(older < newer for older, newer in pairs)
        assert lst.currentIndex().isValid()
        assert b.thread_view.thread_model.item(lst.currentIndex().row()).key == seen[-1]


def test_pages_are_read_and_laid_out_ahead_while_the_user_reads(qtbot, browser, monkeypatch):
    """A page added by scrolling costs no query and no bubble layout: both were done ahead,
    a few bubbles per turn of the event loop, while the thread sat on screen."""
    from msgcopy_viewer.ui.delegates import bubble_layout
    from msgcopy_viewer.ui.models import thread_model as tm

    b = browser
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    model = b.thread_view.thread_model
    lst = b.thread_view.list
    # idle: the older page is read and all its bubbles laid out
    qtbot.waitUntil(lambda: not lst._ahead_timer.isActive() and not lst._ahead, timeout=10_000)
    assert model._ahead_older is not None and len(model._ahead_older) == tm.PAGE
    laid_out: list[int] = []
    queried: list[int] = []
    real_layout = bubble_layout.layout_bubble
    real_before = tm.thread_before

    def counting_layout(m, *a, **k):
        laid_out.append(m.rowid)
        return real_layout(m, *a, **k)

    def counting_before(*a, **k):
        queried.append(1)
        return real_before(*a, **k)

    monkeypatch.setattr(bubble_layout, "layout_bubble", counting_layout)
    monkeypatch.setattr(tm, "thread_before", counting_before)
    first = model.rowCount()
    assert lst.load_older() == tm.PAGE
    lst.viewport().repaint()
    assert model.rowCount() == first + tm.PAGE
    assert queried == []  # the page was read ahead
    added = {model.item(r).rowid for r in range(tm.PAGE)}
    assert not added & set(laid_out)  # and its bubbles laid out ahead,
    # and so was the row below it, whose date separator the page may have taken away
    assert laid_out == []


def test_reading_ahead_keeps_the_direction_of_travel_across_a_page(qtbot, browser) -> None:
    """Keeping the reading position after a page came in at the top moves the scroll bar
    down; that is not the user turning round: reading ahead goes on upwards."""
    from msgcopy_viewer.ui.models import thread_model as tm

    b = browser
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    model = b.thread_view.thread_model
    lst = b.thread_view.list
    qtbot.waitUntil(lambda: not lst._ahead_timer.isActive() and not lst._ahead, timeout=10_000)
    sb = lst.verticalScrollBar()
    rows = model.rowCount()
    sb.setValue(sb.value() - 40)  # the user scrolls up a little ...
    sb.setValue(0)  # ... and to the top: a page of older messages comes in
    qtbot.waitUntil(lambda: model.rowCount() == rows + tm.PAGE)
    assert sb.value() > 0  # the reading position was kept (the bar moved down) ...
    assert lst._ahead_newer is False  # ... and the next page read ahead is the older one
    qtbot.waitUntil(lambda: lst._ahead_done, timeout=10_000)
    older = model._ahead_older
    assert older is not None and older[-1].key < model.item(0).key


def test_the_next_page_comes_in_while_the_user_pauses(qtbot, browser) -> None:
    """Within a few screens of the end of what is loaded, the next page is added in the
    pause after the move (not in the move), and the message the user reads stays put."""
    from PySide6.QtCore import QPoint

    from msgcopy_viewer.ui.models import thread_model as tm
    from msgcopy_viewer.ui.widgets import thread_view

    b = browser
    _select_conversation(qtbot, b, big_conversation_id(b.case.conn))
    model = b.thread_view.thread_model
    lst = b.thread_view.list
    qtbot.waitUntil(lambda: not lst._ahead_timer.isActive() and not lst._ahead, timeout=10_000)
    sb = lst.verticalScrollBar()
    height = lst.viewport().height()
    rows = model.rowCount()
    target = height * (thread_view.SOON * 2 + 3) // 4  # between "now" (1.5) and SOON screens
    assert height * 3 // 2 < target <= height * thread_view.SOON
    sb.setValue(target)
    top = model.item(lst.indexAt(QPoint(8, 8)).row()).rowid
    assert model.rowCount() == rows  # not in the move itself ...
    qtbot.waitUntil(lambda: model.rowCount() == rows + tm.PAGE)  # ... but in the pause
    assert model.item(lst.indexAt(QPoint(8, 8)).row()).rowid == top
    assert sb.value() > target
