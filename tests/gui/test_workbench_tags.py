"""Editing the case's tag list (Manage Tags…), tags on conversations (right-click menu,
conversation list, Tags panel, undo, audit log), and the tagged-items report from the
export dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QMessageBox

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import annotations as an
from msgcopy_viewer.ui.models.conversation_model import ConversationModel
from msgcopy_viewer.ui.models.roles import CONVERSATION_TAGS_ROLE, item_data
from msgcopy_viewer.ui.models.tag_models import TaggedConversationsModel
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from tests.gui.conftest import Corpus
from tests.gui.helpers_browse import browse_case, browse_master, browser

__all__ = ["browse_case", "browse_master", "browser"]


def _names(conn: Any) -> list[tuple[str, str]]:
    return [(t.name, t.color) for t in an.list_tags(conn)]


def test_manage_tags_adds_renames_recolours_and_deletes_with_confirmation(
    qtbot: Any, browser: Any
) -> None:
    b = browser
    wb = b.workbench
    wb.annotations.examiner = lambda: "List Keeper"
    conn = b.case.conn
    dlg = wb.manage_tags()
    assert dlg.isVisible() and dlg.model.rowCount() == 3
    # add: a name, and the next colour of the palette
    dlg.add_button.click()
    assert dlg.name_input is not None and dlg.name_input.isVisible()
    dlg.name_input.setTextValue("Alibi")
    dlg.name_input.accept()
    assert _names(conn)[-1][0] == "Alibi" and dlg.current_tag().name == "Alibi"
    # rename
    dlg.rename_button.click()
    assert dlg.name_input.textValue() == "Alibi"
    dlg.name_input.setTextValue("Alibi checked")
    dlg.name_input.accept()
    assert _names(conn)[-1][0] == "Alibi checked"
    # recolour
    dlg.colour_button.click()
    assert dlg.colour_input is not None
    dlg.colour_input.setCurrentColor(QColor("#123456"))
    dlg.colour_input.accept()
    assert _names(conn)[-1] == ("Alibi checked", "#123456")
    # a bad name is refused with the store's words, nothing changes
    refused: list[str] = []
    wb.annotations.failed.disconnect()
    wb.annotations.failed.connect(refused.append)
    assert dlg.add_tag("relevant", "#000000") is None
    assert refused and "already has a tag" in refused[0]
    # the tag on three messages: delete asks first, saying so
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM messages LIMIT 3")]
    wb.annotations.add_tag(rowids, "Alibi checked")
    dlg.select("Alibi checked")
    box = dlg.ask_delete()
    assert box is not None and box.isVisible()
    assert "It is on 3 messages and 0 conversations" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert an.get_tag(conn, "Alibi checked") is not None  # cancelled: nothing deleted
    box = dlg.ask_delete()
    box.buttonClicked.emit(dlg.delete_confirm_button)
    assert an.get_tag(conn, "Alibi checked") is None
    assert an.marks_for(conn, rowids) == {}
    assert dlg.model.row_of("Alibi checked") < 0
    # undo puts it back where it was, on exactly those messages
    stack = wb.annotations.undo_stack
    assert stack.undoText() == "Delete tag Alibi checked"
    stack.undo()
    assert _names(conn)[-1] == ("Alibi checked", "#123456")
    assert sorted(an.tagged_rowids(conn, an.require_tag(conn, "Alibi checked"))) == sorted(rowids)
    assert dlg.model.row_of("Alibi checked") == 3
    # every change is in the audit log, by the examiner
    log = an.audit_log(conn)
    actions = [e.action for e in log]
    assert actions[:3] == ["taglist.create", "taglist.update", "taglist.update"]
    assert actions.count("taglist.delete") == 1 and actions[-1] == "tag.add"
    assert {e.examiner for e in log} == {"List Keeper"}
    update = log[1]
    assert (update.before, update.after) == (
        f"Alibi {log[0].after}",
        f"Alibi checked {log[0].after}",
    )


def test_manage_tags_is_in_the_edit_menu_and_the_tags_panel(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    case = tmp_path / "x.mcase"
    Importer(case, workers=1).run([corpus.folder])
    action = window.workbench.act_manage_tags
    assert action in window.edit_menu.actions() and not action.isEnabled()
    window.open_case(case)
    assert action.isEnabled()
    action.trigger()
    dlg = window.browser.workbench.manage_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.close()
    window.browser.workbench.tags_panel.manage_button.click()
    assert dlg.isVisible()
    dlg.close()


def _tag_menu(view: Any, row: int) -> QMenu:
    menu = view.menu_for(row)
    subs = [a.menu() for a in menu.actions() if a.menu() is not None]
    assert len(subs) == 1 and subs[0].title() == "&Tags"
    return subs[0]


def test_tagging_a_conversation_from_its_menu(qtbot: Any, browser: Any) -> None:
    b = browser
    wb = b.workbench
    conn = b.case.conn
    view = b.conversations
    model = view.conversation_model
    qtbot.waitUntil(lambda: model.rowCount() > 1)
    conv = model.conversation(1)
    title = model.index(1, 0).data()
    sub = _tag_menu(view, 1)
    actions = {a.text(): a for a in sub.actions()}
    assert list(actions) == ["Relevant", "Privileged", "Follow up"]
    assert not any(a.isChecked() for a in actions.values())
    actions["Privileged"].trigger()
    assert [t.name for t in an.conversation_tags(conn, conv.id)] == ["Privileged"]
    # shown in the conversation list: title, tooltip, accessible text, role
    index = model.index(model.row_of(conv.id), 0)
    assert index.data() == f"[Privileged] {title}"
    assert [t.name for t in item_data(index, CONVERSATION_TAGS_ROLE)] == ["Privileged"]
    assert "Tags: Privileged" in index.data(0x03)  # ToolTipRole
    assert ", tagged Privileged," in index.data(0x0B)  # AccessibleTextRole
    assert _tag_menu(view, model.row_of(conv.id)).actions()[1].isChecked()
    # listed in the Tags panel
    panel = wb.tags_panel
    panel.select_tag("Privileged")
    assert panel.tag_model.index(1, 0).data().startswith("Privileged (0, 1 conversation)")
    assert panel.conversation_model.rowCount() == 1
    assert panel.conversation_model.item(0).id == conv.id
    # audited, and one undo step
    log = an.audit_log(conn)
    assert [(e.action, e.target, e.after) for e in log] == [
        ("conversation_tag.add", f"conversation:{conv.id}", "Privileged")
    ]
    stack = wb.annotations.undo_stack
    assert stack.undoText() == "Tag conversation Privileged"
    stack.undo()
    assert an.conversation_tags(conn, conv.id) == []
    assert model.index(model.row_of(conv.id), 0).data() == title
    assert panel.conversation_model.rowCount() == 0
    stack.redo()
    assert [t.name for t in an.conversation_tags(conn, conv.id)] == ["Privileged"]
    # the menu's ticked tag takes it away
    _tag_menu(view, model.row_of(conv.id)).actions()[1].trigger()
    assert an.conversation_tags(conn, conv.id) == []
    assert [e.action for e in an.audit_log(conn)] == [
        "conversation_tag.add",
        "conversation_tag.remove",
        "conversation_tag.add",
        "conversation_tag.remove",
    ]


def test_a_tagged_conversation_opens_from_the_tags_panel(qtbot: Any, browser: Any) -> None:
    b = browser
    model = b.conversations.conversation_model
    qtbot.waitUntil(lambda: model.rowCount() > 1)
    conv = model.conversation(1)
    assert b.workbench.toggle_conversation_tag(conv.id, "Relevant")
    panel = b.workbench.tags_panel
    panel.select_tag("Relevant")
    panel.conversations.clicked.emit(panel.conversation_model.index(0, 0))
    qtbot.waitUntil(lambda: b.thread_view.conversation() is not None)
    assert b.thread_view.conversation().id == conv.id


def test_conversation_models_with_tags(qtmodeltester: Any, browse_case: Path) -> None:
    from msgcopy_viewer.store.case import Case

    with Case.open(browse_case) as case:
        ids = [r[0] for r in case.conn.execute("SELECT id FROM conversations LIMIT 3")]
        for cid in ids:
            an.tag_conversation(case, cid, "Follow up", examiner="T")
        an.tag_conversation(case, ids[0], "Relevant", examiner="T")
        model = ConversationModel(TimeZoneSettings())
        model.set_scope(case.conn, None)
        qtmodeltester.check(model)
        tagged = {
            model.conversation(r).id: [
                t.name for t in item_data(model.index(r, 0), CONVERSATION_TAGS_ROLE)
            ]
            for r in range(model.rowCount())
            if item_data(model.index(r, 0), CONVERSATION_TAGS_ROLE)
        }
        assert tagged == {ids[0]: ["Relevant", "Follow up"], **{c: ["Follow up"] for c in ids[1:]}}
        convs = TaggedConversationsModel(TimeZoneSettings())
        convs.set_tag(case.conn, an.require_tag(case.conn, "Follow up"))
        qtmodeltester.check(convs)
        assert sorted(convs.item(r).id for r in range(convs.rowCount())) == sorted(ids)
        convs.set_tag(case.conn, None)
        assert convs.rowCount() == 0
        qtmodeltester.check(convs)


@pytest.mark.gui
def test_export_dialog_makes_the_tagged_items_report(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    from msgcopy_viewer.store.case import Case

    case = tmp_path / "x.mcase"
    Importer(case, workers=1).run([corpus.folder])
    with Case.open(case) as c:
        rowids = [r[0] for r in c.conn.execute("SELECT rowid FROM messages LIMIT 2")]
        an.tag_messages(c, rowids, "Relevant", examiner="T")
        an.set_note(c, rowids[0], "why it matters", examiner="T")
    window.open_case(case)
    window.act_export_report.trigger()
    dialog = window.export_dialog
    dialog.format.setCurrentIndex(dialog.format.findData("tagged-html"))
    assert dialog.output.text().endswith("x-tagged-html")
    out = tmp_path / "tagged"
    dialog.output.setText(str(out))
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert "wrote 2 tagged items under 1 tag" in dialog.status.text()
    assert dialog.progress.maximum() == 2  # the tagged items, not the 6 messages of the case
    page = (out / "t0001-p0001.html").read_text("utf-8")
    assert page.count("<article") == 2 and "Note: why it matters" in page
    dialog.format.setCurrentIndex(dialog.format.findData("tagged-pdf"))
    assert dialog.output.text().endswith("x-tagged.pdf")
    dialog.close()
