"""Tag names, store messages and undo steps in the workbench's dialogs and menus are shown
as they are stored: never read as rich text (``<b>``, ``<img>``), ``&`` never a shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from msgcopy_viewer.store import annotations as an
from tests.gui.helpers_browse import browse_case, browse_master, browser

__all__ = ["browse_case", "browse_master", "browser"]

MARKUP_TAG = "<b>Hot</b> <img src=x>"


def test_a_refused_change_is_shown_as_plain_text(qtbot: Any, browser: Any) -> None:
    wb = browser.workbench
    wb.annotations.examiner = lambda: "E. Xaminer"
    an.create_tag(browser.case, MARKUP_TAG, "#cc2200", examiner="E. Xaminer")
    dlg = wb.manage_tags()
    assert dlg.add_tag(MARKUP_TAG, "#000000") is None  # the store refuses: it exists
    box = wb.failure_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.textFormat() == Qt.TextFormat.PlainText and MARKUP_TAG in box.text()
    box.close()


def test_the_rename_dialog_names_the_tag_as_plain_text(qtbot: Any, browser: Any) -> None:
    wb = browser.workbench
    an.create_tag(browser.case, MARKUP_TAG, "#cc2200", examiner="E. Xaminer")
    dlg = wb.manage_tags()
    assert dlg.select(MARKUP_TAG)
    dlg.ask_rename()
    assert dlg.name_input is not None and dlg.name_input.textValue() == MARKUP_TAG
    labels = [x for x in dlg.name_input.findChildren(QLabel) if MARKUP_TAG in x.text()]
    assert labels and all(x.textFormat() == Qt.TextFormat.PlainText for x in labels)
    dlg.name_input.reject()


def test_an_ampersand_in_a_tag_name_is_no_shortcut_in_the_undo_menu(
    qtbot: Any, browser: Any
) -> None:
    wb = browser.workbench
    wb.annotations.examiner = lambda: "E. Xaminer"
    an.create_tag(browser.case, "R&D", "#cc2200", examiner="E. Xaminer")
    rowids = [r[0] for r in browser.case.conn.execute("SELECT rowid FROM messages LIMIT 2")]
    assert wb.annotations.add_tag(rowids, "R&D") == rowids
    assert wb.undo_action.text().endswith("R&&D")  # shown as "R&D"
    assert wb.annotations.undo_stack.text(0).endswith("R&D")


def test_who_talked_to_whom_shows_a_bidi_override_in_a_sender_as_a_token(
    qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    from msgcopy_viewer.ingest.pipeline import Importer
    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.store.timeline import contact_graph
    from msgcopy_viewer.ui.widgets.contact_graph import ContactGraphView
    from tests.integration.vendor import sms_event, write

    write(tmp_path / "s" / "a.json", sms_event("hi", other="BANK\u202etxt.exe", direction="mt"))
    Importer(tmp_path / "c.mcase", workers=1).run([tmp_path / "s"])
    view = ContactGraphView()
    qtbot.addWidget(view)
    with Case.open(tmp_path / "c.mcase", readonly=True) as case:
        view.set_graph(contact_graph(case.conn))
    texts = [i.text() for i in view.scene().items() if isinstance(i, QGraphicsSimpleTextItem)]
    assert "BANK⟦U+202E⟧txt.exe" in texts
    assert not any("\u202e" in t for t in texts)


def _shown_text(view: Any, row: int) -> str:
    from PySide6.QtWidgets import QStyleOptionViewItem

    opt = QStyleOptionViewItem()
    view.itemDelegate().initStyleOption(opt, view.model().index(row, 0))
    return opt.text


def test_the_tags_panel_shows_a_bidi_override_in_a_message_as_a_token(
    qtbot: Any, tmp_path: Path
) -> None:
    from msgcopy_viewer.ingest.pipeline import Importer
    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.store.messages import iter_messages
    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.tags_panel import TagsPanel
    from tests.integration.vendor import sms_event, write

    write(tmp_path / "s" / "a.json", sms_event("pay to \u202e1234 5678", direction="mt"))
    Importer(tmp_path / "c.mcase", workers=1).run([tmp_path / "s"])
    with Case.open(tmp_path / "c.mcase") as case:
        an.tag_messages(case, [m.rowid for m in iter_messages(case.conn)], "Relevant", examiner="E")
        panel = TagsPanel(TimeZoneSettings("UTC"))
        qtbot.addWidget(panel)
        panel.set_connection(case.conn)
        assert panel.select_tag("Relevant") and panel.message_model.rowCount() == 1
        text = _shown_text(panel.messages, 0)
        assert "pay to ⟦U+202E⟧1234 5678" in text and "\u202e" not in text
        panel.set_connection(None)


def test_the_media_gallery_shows_its_texts_through_the_same_delegate(qtbot: Any) -> None:
    from msgcopy_viewer.ui.widgets.gallery_view import GalleryView
    from msgcopy_viewer.ui.widgets.shown_text import ShownTextDelegate

    view = GalleryView()
    qtbot.addWidget(view)
    assert isinstance(view.itemDelegate(), ShownTextDelegate)


def test_an_undo_the_case_refuses_clears_the_history_instead_of_skipping_a_step(
    qtbot: Any, browser: Any, monkeypatch: Any
) -> None:
    wb = browser.workbench
    ctl = wb.annotations
    ctl.examiner = lambda: "E. Xaminer"
    failures: list[str] = []
    ctl.failed.disconnect()
    ctl.failed.connect(failures.append)
    rowids = [r[0] for r in browser.case.conn.execute("SELECT rowid FROM messages LIMIT 2")]
    assert ctl.add_tag(rowids[:1], "Relevant") and ctl.add_tag(rowids[1:], "Privileged")
    stack = ctl.undo_stack
    assert stack.count() == 2
    monkeypatch.setattr(browser.case, "readonly", True)  # as if the case became read-only
    stack.undo()
    assert failures and "read-only" in failures[0] and "history was cleared" in failures[0]
    qtbot.waitUntil(lambda: stack.count() == 0)
    assert not stack.canUndo()  # Ctrl+Z cannot now undo the first step before the second
    monkeypatch.setattr(browser.case, "readonly", False)
    marks = an.marks_for(browser.case.conn, rowids)
    assert [t.name for t in marks[rowids[0]].tags] == ["Relevant"]
    assert [t.name for t in marks[rowids[1]].tags] == ["Privileged"]  # nothing was undone
