"""Right-click menus (bubbles, conversations, ledger rows), several messages selected and
copied as a timestamped transcript, and every shortcut listed in Help."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.browse import get_conversation
from tests.gui.helpers_browse import big_conversation_id, browse_case, browse_master, browser
from tests.integration.vendor import sms_event, write

__all__ = ["browse_case", "browse_master", "browser"]

pytestmark = pytest.mark.gui

LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]{2,5}\] \S.* → \S.*: .*$")


def clipboard() -> str:
    return QApplication.clipboard().text()


@pytest.fixture
def chat_case(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(
        src / "a.json",
        sms_event("See you at 8", direction="mt", start="2024-09-16T19:30:39.090+0000"),
        sms_event("Line one\nline two", direction="mo", start="2024-09-16T19:31:05.000+0000"),
        sms_event("Third", direction="mt", start="2024-09-16T19:40:00.000+0000"),
    )
    case = tmp_path / "chat.mcase"
    Importer(case, workers=1).run([src])
    return case


def open_chat(qtbot: Any, make_window: Any, case: Path) -> Any:
    window = make_window()
    assert window.open_case(case)
    window.tz.set_zone("Europe/London")
    browser = window.browser
    conv_model = browser.conversations.conversation_model
    qtbot.waitUntil(lambda: conv_model.rowCount() == 1)
    conv = get_conversation(browser.case.conn, conv_model.conversation(0).id)
    browser.thread_view.set_conversation(browser.case.conn, conv)
    qtbot.waitUntil(lambda: browser.thread_view.thread_model.rowCount() == 3)
    return window


def test_copy_selected_messages_as_a_transcript(
    qtbot: Any, make_window: Any, chat_case: Path
) -> None:
    window = open_chat(qtbot, make_window, chat_case)
    view = window.browser.thread_view
    lst, model = view.list, view.thread_model
    assert lst.selectionMode() == lst.SelectionMode.ExtendedSelection
    lst.setFocus()
    selection = lst.selectionModel()
    selection.setCurrentIndex(model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    selection.setCurrentIndex(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    # the inspector shows the current message (the last one chosen)
    assert window.browser.inspector.message().text == "See you at 8"
    qtbot.keyClick(lst, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == (
        "[2024-09-16 20:30:39 BST] +1 214-555-5273 → +1 946-555-9040: See you at 8\n"
        "[2024-09-16 20:40:00 BST] +1 214-555-5273 → +1 946-555-9040: Third\n"
    )
    # all three, in thread order; a sent message goes the other way; newlines kept visible
    lst.selectAll()
    qtbot.keyClick(lst, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = clipboard().splitlines()
    assert len(lines) == 3 and all(LINE.match(x) for x in lines), lines
    assert lines[1] == (
        "[2024-09-16 20:31:05 BST] +1 946-555-9040 → +1 214-555-5273: Line one ⏎ line two"
    )


def test_bubble_menu(qtbot: Any, make_window: Any, chat_case: Path) -> None:
    window = open_chat(qtbot, make_window, chat_case)
    view = window.browser.thread_view
    index = view.thread_model.index(1, 0)
    menu = view.message_actions.menu_for(index)
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Copy Text",
        "Copy as Transcript Line",
        "Copy Message ID",
        "Open MMS…",
        "Show in Inspector",
        "Export…",
    ]
    actions = {a.text().replace("&", ""): a for a in menu.actions()}
    assert not actions["Open MMS…"].isEnabled()  # an SMS
    actions["Copy Text"].trigger()
    assert clipboard() == "Line one\nline two"
    actions["Copy as Transcript Line"].trigger()
    assert clipboard().startswith("[2024-09-16 20:31:05 BST] ")
    actions["Show in Inspector"].trigger()
    assert window.browser.inspector.message().text == "Line one\nline two"
    actions["Copy Message ID"].trigger()
    assert clipboard() == window.browser.inspector.message().id


def test_mms_bubble_menu_opens_the_mms(qtbot: Any, browser: Any) -> None:
    conn = browser.case.conn
    (rowid,) = conn.execute("SELECT rowid FROM messages WHERE type = 'mms' LIMIT 1").fetchone()
    browser.open_rowid(rowid)
    view = browser.thread_view
    index = view.thread_model.index(view.thread_model.row_of(rowid), 0)
    opened: list[int] = []
    browser.messageOpened.connect(opened.append)
    menu = view.message_actions.menu_for(index)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == "Open MMS…")
    assert action.isEnabled()
    action.trigger()
    assert opened == [rowid]


def test_selection_of_several_survives_paging(
    qtbot: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.ui.models import thread_model

    monkeypatch.setattr(thread_model, "MAX_ROWS", 120)
    view = browser.thread_view
    conv = get_conversation(browser.case.conn, big_conversation_id(browser.case.conn))
    view.set_conversation(browser.case.conn, conv)
    lst, model = view.list, view.thread_model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    last = model.rowCount() - 1
    chosen = {model.item(last).rowid, model.item(last - 2).rowid}
    selection = lst.selectionModel()
    selection.setCurrentIndex(
        model.index(last - 2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    selection.setCurrentIndex(model.index(last, 0), QItemSelectionModel.SelectionFlag.Select)
    current = model.item(last).rowid
    sb = lst.verticalScrollBar()
    for _ in range(8):
        oldest = model.item(0).key
        sb.setValue(0)
        qtbot.waitUntil(lambda oldest=oldest: model.item(0).key < oldest)
    assert all(model.row_of(r) < 0 for r in chosen)  # both rows dropped
    # still both copied, from the case
    assert len(view.message_actions.transcript_text().splitlines()) == 2
    for _ in range(40):
        if all(model.row_of(r) >= 0 for r in chosen):
            break
        newest = model.item(model.rowCount() - 1).key
        sb.setValue(sb.maximum())
        qtbot.waitUntil(lambda newest=newest: model.item(model.rowCount() - 1).key > newest)
    qtbot.waitUntil(lambda: {model.item(i.row()).rowid for i in selection.selectedRows()} == chosen)
    assert model.item(lst.currentIndex().row()).rowid == current
    assert browser.inspector.message().rowid == current


def test_conversation_menu(qtbot: Any, make_window: Any, chat_case: Path) -> None:
    window = open_chat(qtbot, make_window, chat_case)
    convs = window.browser.conversations
    conv = convs.conversation_model.conversation(0)
    menu = convs.menu_for(0)
    actions = {a.text().replace("&", ""): a for a in menu.actions()}
    assert list(actions) == [
        "Copy Participants", "Copy Subscriber", "Copy Conversation ID", "", "Tags", "Export…",
    ]  # fmt: skip
    actions["Copy Participants"].trigger()
    assert clipboard() == ", ".join(conv.participants)
    actions["Copy Conversation ID"].trigger()
    assert clipboard() == conv.id


def test_ledger_row_menu(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src / "good.json", sms_event("hello"))
    (src / "bad.json").write_text("{not json")
    case = tmp_path / "l.mcase"
    Importer(case, workers=1).run([src])
    window = make_window()
    window.open_case(case)
    dialog = window.show_ledger()
    dialog.model.fetch_all()
    rows = [dialog.proxy.data(dialog.proxy.index(i, 0), dialog.model.RowRole) for i in range(2)]
    bad = next(i for i, r in enumerate(rows) if r.outcome == "rejected")
    menu = dialog.row_menu(bad)
    actions = {a.text().replace("&", ""): a for a in menu.actions()}
    assert list(actions) == ["Copy Selected Rows", "Copy Path", "Copy Reason", "Copy SHA-256"]
    actions["Copy Path"].trigger()
    assert clipboard().endswith("/bad.json")
    actions["Copy Reason"].trigger()
    assert clipboard() == rows[bad].reason
    dialog.view.selectRow(bad)
    actions["Copy Selected Rows"].trigger()
    assert "bad.json" in clipboard() and "good.json" not in clipboard()
    dialog.close()


def _listed_keys(window: Any) -> set[str]:
    keys: set[str] = set()
    for listed, _what in window.shortcuts():
        for part in re.split(r" / |, ", listed):
            seq = QKeySequence(part.strip())
            keys.add(seq.toString(QKeySequence.SequenceFormat.PortableText) or part.strip())
    return keys


def test_every_shortcut_of_the_window_is_listed_in_help(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = make_window()
    assert window.open_case(demo_case_path)
    # with the windows it opens: an MMS viewer and the ledger
    rowid = window.browser.case.conn.execute(
        "SELECT rowid FROM messages WHERE type = 'mms' LIMIT 1"
    ).fetchone()[0]
    window.browser.messageOpened.emit(rowid)
    window.show_ledger()
    listed = _listed_keys(window)
    found: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            found[seq.toString(QKeySequence.SequenceFormat.PortableText)] = action.text()
    for shortcut in window.findChildren(QShortcut):
        seq = shortcut.key()
        if not seq.isEmpty():
            found[seq.toString(QKeySequence.SequenceFormat.PortableText)] = "QShortcut"
    assert {"Ctrl+O", "Alt+1", "Left", "Right"} <= set(found)  # the walk sees them all
    missing = {k: v for k, v in found.items() if k not in listed}
    assert not missing, f"not listed in Help ▸ Keyboard Shortcuts: {missing}"
    # the thread's copy (an event filter, not an action) is listed too
    assert "Ctrl+C" in listed
