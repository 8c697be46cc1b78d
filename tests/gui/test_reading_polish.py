"""Reading without surprises: the newest message whole when a thread opens, inspector values
readable in a narrow panel, no sideways scrolling in the subscriber pane, ledger columns not
cut off, and lists that say whose conversation a row is."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from msgcopy_viewer.core.text_safety import plain_tooltip
from msgcopy_viewer.store.browse import get_conversation
from msgcopy_viewer.ui.widgets.ledger_dialog import COLUMNS, SHORT_COLUMNS

pytestmark = pytest.mark.gui


WRAP_ANYWHERE = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
    Qt.TextFlag.TextWrapAnywhere
)


def settle(qtbot: Any, ms: int = 50) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def open_demo(make_window: Any, case: Path) -> Any:
    window = make_window()
    window.resize(1280, 720)
    assert window.open_case(case)
    return window


def conversations_ending_with_mms(case: Path) -> list[str]:
    with sqlite3.connect(case) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT c.id FROM conversations c JOIN messages m ON m.rowid = c.last_rowid "
                "WHERE m.type = 'mms' ORDER BY c.message_count DESC LIMIT 4"
            )
        ]


def test_a_thread_opens_with_its_newest_message_whole(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    browser = window.browser
    view = browser.thread_view
    ids = conversations_ending_with_mms(demo_case_path)
    assert ids
    for cid in ids:
        conv = get_conversation(browser.case.conn, cid)
        view.set_conversation(browser.case.conn, conv)
        last = view.thread_model.rowCount() - 1
        item = view.thread_model.item(last)
        shas = [p.sha256 for p in item.parts if p.kind == "image"]
        # the sizes settle: header wrapped, bubbles laid out, thumbnails decoded
        qtbot.waitUntil(
            lambda shas=shas: all(
                browser.thumbnails.peek(s) or browser.thumbnails.is_failed(s) for s in shas
            ),
            timeout=10_000,
        )
        settle(qtbot)
        rect = view.list.visualRect(view.thread_model.index(last, 0))
        viewport = view.list.viewport().rect()
        assert viewport.contains(rect), (cid, rect, viewport)
        sb = view.list.verticalScrollBar()
        assert sb.value() == sb.maximum()


def test_the_user_scrolling_up_is_not_pulled_back_to_the_bottom(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    browser = window.browser
    view = browser.thread_view
    cid = conversations_ending_with_mms(demo_case_path)[0]
    view.set_conversation(browser.case.conn, get_conversation(browser.case.conn, cid))
    settle(qtbot)
    assert view.sticks_to_bottom()
    view.list.verticalScrollBar().triggerAction(
        view.list.verticalScrollBar().SliderAction.SliderPageStepSub
    )
    assert not view.sticks_to_bottom()


def test_inspector_values_wrap_whole_in_a_narrow_panel(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    browser = window.browser
    with sqlite3.connect(demo_case_path) as conn:
        (rowid,) = conn.execute("SELECT max(rowid) FROM messages").fetchone()
    browser.open_rowid(rowid)
    settle(qtbot)
    details = browser.inspector.details
    assert details.horizontalScrollBar().maximum() == 0
    width = details.header().sectionSize(1)
    found = 0
    for i in range(details.topLevelItemCount()):
        top = details.topLevelItem(i)
        for j in range(top.childCount()):
            child = top.child(j)
            value = child.text(1)
            if not value:
                continue
            fm = QFontMetrics(details.font())
            needed = fm.boundingRect(QRect(0, 0, width - 8, 100_000), WRAP_ANYWHERE, value).height()
            shown = details.visualItemRect(child).height()
            assert shown >= needed, (child.text(0), value, shown, needed)
            assert child.toolTip(1) == plain_tooltip(value)  # escaped: values are evidence
            if fm.horizontalAdvance(value) > width:
                found += 1
    assert found, "no value was wider than the column: the test shows nothing"
    # the whole value is copied
    sha_item = next(
        top.child(j)
        for i in range(details.topLevelItemCount())
        for top in [details.topLevelItem(i)]
        for j in range(top.childCount())
        if top.child(j).text(0) == "File SHA-256"
    )
    details.setCurrentItem(sha_item)
    browser.inspector.copy_value.click()
    assert QApplication.clipboard().text() == sha_item.text(1)
    assert len(sha_item.text(1)) == 64


def test_subscriber_pane_never_scrolls_sideways(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    subs = window.browser.subscribers
    window.browser.splitter.setSizes([180, 300, 600, 300])
    settle(qtbot)
    assert subs.horizontalScrollBar().maximum() == 0 or not subs.horizontalScrollBar().isVisible()
    header = subs.header()
    visible = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    assert sum(header.sectionSize(c) for c in visible) <= subs.viewport().width()
    # DID and Subscriber ID can be shown from the header's menu, and are in the tooltip
    menu = subs.column_menu()
    assert [a.text() for a in menu.actions()] == [
        "Show DID column",
        "Show Subscriber ID column",
    ]
    menu.actions()[0].setChecked(True)
    assert not header.isSectionHidden(1)


def test_ledger_short_columns_are_not_cut_off(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    app = QApplication.instance()
    font = app.font()
    big = QFont(font)
    big.setPointSizeF(font.pointSizeF() * 1.6)  # a large system font
    app.setFont(big)
    try:
        dialog = window.show_ledger()
        settle(qtbot)
        view = dialog.view
        header = view.horizontalHeader()
        for col in SHORT_COLUMNS:
            width = header.sectionSize(col)
            assert width >= header.sectionSizeHint(col), COLUMNS[col]
            assert width >= view.sizeHintForColumn(col), COLUMNS[col]
        dialog.close()
    finally:
        app.setFont(font)


class RecordingPainter(QPainter):
    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args: Any) -> None:  # type: ignore[override]
        self.texts.extend(a for a in args if isinstance(a, str))
        super().drawText(*args)


def painted_texts(view: Any, index: QModelIndex) -> list[str]:
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = QRect(0, 0, 420, 60)
    image = QImage(420, 60, QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    try:
        view.itemDelegate().paint(painter, option, index)
    finally:
        painter.end()
    return painter.texts


def test_lists_of_several_subscribers_say_whose_each_row_is(
    qtbot: Any, make_window: Any, demo_case_path: Path
) -> None:
    window = open_demo(make_window, demo_case_path)
    browser = window.browser
    convs = browser.conversations
    model = convs.conversation_model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    mobiles = {model.conversation(r).subscriber_mobile for r in range(model.rowCount())}
    assert len(mobiles) > 1  # the demo case has several subscribers
    for row in range(min(model.rowCount(), 10)):
        conv = model.conversation(row)
        texts = painted_texts(convs, model.index(row, 0))
        assert any(conv.subscriber_mobile in t for t in texts), texts

    browser.focus_search()
    qtbot.keyClicks(browser.search.field, "the")
    browser.search.run_now()
    results = browser.search.results_view
    qtbot.waitUntil(lambda: results.model().rowCount() > 0, timeout=5000)
    for row in range(min(results.model().rowCount(), 10)):
        index = results.model().index(row, 0)
        hit = index.data(0x0100 + 1) if False else results.model().data(index, _row_role())
        texts = painted_texts(results, index)
        assert any(hit.message.subscriber_mobile in t for t in texts), texts


def _row_role() -> int:
    from msgcopy_viewer.ui.models.roles import ROW_ROLE

    return int(ROW_ROLE)
