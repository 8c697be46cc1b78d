"""Search panel: Ctrl+F, typing → results with highlighted snippets → jump to the message."""

from __future__ import annotations

from PySide6.QtCore import Qt

from msgcopy_viewer.store.search import MARK_START
from msgcopy_viewer.ui.models.roles import SNIPPET_ROLE
from tests.gui.helpers_browse import (
    NEEDLE,
    browse_case,
    browse_master,
    browser,
    needle_rowid,
)

__all__ = ["browse_case", "browse_master", "browser"]


def test_ctrl_f_type_and_jump(qtbot, browser) -> None:
    b = browser
    # (in the messages, Ctrl+F finds in the conversation: test_fidelity_gui)
    b.conversations.setFocus()
    qtbot.keyClick(b.conversations, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: b.search.field.hasFocus())
    model = b.search.model
    with qtbot.waitSignal(model.finished, timeout=5000):
        qtbot.keyClicks(b.search.field, NEEDLE[:8] + "*")
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    # results replace the conversation list while searching
    assert b.middle_stack.currentWidget() is b.search.results_view
    assert MARK_START + NEEDLE in model.index(0, 0).model().data(model.index(0, 0), SNIPPET_ROLE)
    assert b.search.status.text().startswith("1 result")
    # keyboard: Down into the results, Enter opens the message
    qtbot.keyClick(b.search.field, Qt.Key.Key_Down)
    assert b.search.results_view.hasFocus()
    with qtbot.waitSignal(b.selectionChanged):
        qtbot.keyClick(b.search.results_view, Qt.Key.Key_Return)
    rowid = needle_rowid(b.case.conn)
    assert b.thread_view.thread_model.highlight_rowid == rowid
    qtbot.waitUntil(lambda: rowid in b.thread_view.visible_rowids())
    assert (
        NEEDLE
        in b.thread_view.list.currentIndex()
        .model()
        .item(b.thread_view.list.currentIndex().row())
        .text
    )
    # Esc clears the search and brings the conversation list back
    b.search.field.setFocus()
    qtbot.keyClick(b.search.field, Qt.Key.Key_Escape)
    assert b.search.field.text() == ""
    assert b.middle_stack.currentWidget() is b.conversations


def test_phone_digits_and_filters(qtbot, browser) -> None:
    b = browser
    model = b.search.model
    with qtbot.waitSignal(model.finished, timeout=5000):
        b.search.field.setText("5552")
        b.search.run_now()
    assert model.rowCount() > 0
    hits = [model.hit(r) for r in range(model.rowCount())]
    assert all("5552" in "".join(h.message.participants) for h in hits)
    # filters: MMS only, received
    b.search.filter_button.click()
    assert b.search.filters_box.isVisible()
    b.search.field.setText("")
    b.search.kind.setCurrentIndex(b.search.kind.findData("mms"))
    b.search.direction.setCurrentIndex(b.search.direction.findData("mt"))
    with qtbot.waitSignal(model.finished, timeout=5000):
        b.search.run_now()
    assert model.rowCount() > 0
    assert all(
        model.hit(r).message.type == "mms" and model.hit(r).message.direction == "mt"
        for r in range(model.rowCount())
    )
    # the snippet is drawn as plain text: a grab must not fail and must not use markup
    b.search.results_view.grab()


def test_unsafe_input_gives_no_error(qtbot, browser) -> None:
    b = browser
    model = b.search.model
    for text in ['"', "NEAR(", "a AND OR", "col:*", "-", "*"]:
        with qtbot.waitSignal(model.finished, timeout=5000):
            b.search.field.setText(text)
            b.search.run_now()
        assert "failed" not in b.search.status.text().lower()


def test_a_case_that_cannot_be_read_fails_the_search_with_its_reason(qtbot, tmp_path) -> None:
    from msgcopy_viewer.ui.models.search_model import SearchResultModel

    model = SearchResultModel()
    model.set_case_path(tmp_path / "gone.mcase")
    with qtbot.waitSignal(model.failed, timeout=5000) as blocker:
        model.run("hello")
    (message,) = blocker.args
    assert message.startswith("Search failed: Cannot open ")
    assert "gone.mcase" in message
    assert model.rowCount() == 0
