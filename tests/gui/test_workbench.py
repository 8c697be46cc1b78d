"""The workbench in the app: tagging from the keyboard (bubble, Tags panel, undo, audit
log), names shown with numbers, the models under qtmodeltester, the timeline's drag, the
contact graph, and a gallery that asks only for the thumbnails it shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from msgcopy_viewer.store import annotations as an
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Contact
from msgcopy_viewer.store.names import set_names
from msgcopy_viewer.ui.models.gallery_model import GalleryModel
from msgcopy_viewer.ui.models.roles import MARKS_ROLE, SENDER_LABEL_ROLE, item_data
from msgcopy_viewer.ui.models.tag_models import TaggedMessagesModel, TagListModel
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from tests.gui.helpers_browse import BIG_OTHER, browse_case, browse_master, browser
from tests.gui.test_thread_view import _select_newest_message

__all__ = ["browse_case", "browse_master", "browser"]

RELEVANT = QColor("#d9534f")


def _has_color(image: QImage, color: QColor, tolerance: int = 6) -> bool:
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - color.red()) <= tolerance
                and abs(c.green() - color.green()) <= tolerance
                and abs(c.blue() - color.blue()) <= tolerance
            ):
                return True
    return False


def test_tagging_from_the_keyboard_shows_on_the_bubble_and_in_the_panel(qtbot, browser) -> None:
    b = browser
    wb = b.workbench
    wb.annotations.examiner = lambda: "Keyboard Examiner"
    lst = _select_newest_message(qtbot, b)
    m = b.thread_view.current_item()
    assert m is not None
    assert not _has_color(lst.viewport().grab().toImage(), RELEVANT)
    qtbot.keyClick(lst, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    index = lst.currentIndex()
    marks = item_data(index, MARKS_ROLE)
    assert marks is not None and [t.name for t in marks.tags] == ["Relevant"]
    lst.viewport().repaint()
    assert _has_color(lst.viewport().grab().toImage(), RELEVANT)  # the chip on the bubble
    panel = wb.tags_panel
    assert panel.tag_model.index(0, 0).data().startswith("Relevant (1)")
    panel.select_tag("Relevant")
    assert panel.message_model.rowCount() == 1
    assert panel.message_model.item(0).rowid == m.rowid
    # one undo step takes it away again; both changes are in the audit log
    qtbot.keyClick(lst, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert item_data(lst.currentIndex(), MARKS_ROLE) is None
    assert panel.tag_model.index(0, 0).data().startswith("Relevant (0)")
    log = an.audit_log(b.case.conn)
    assert [(e.action, e.examiner) for e in log] == [
        ("tag.add", "Keyboard Examiner"),
        ("tag.remove", "Keyboard Examiner"),
    ]
    assert log[0].target == f"message:{m.id}"
    # redo, a bookmark and a second tag
    qtbot.keyClick(
        lst, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.keyClick(lst, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(lst, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    marks = item_data(lst.currentIndex(), MARKS_ROLE)
    assert [t.name for t in marks.tags] == ["Relevant", "Follow up"] and marks.bookmarked
    # pressing the same tag again takes it away (a toggle)
    qtbot.keyClick(lst, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert [t.name for t in item_data(lst.currentIndex(), MARKS_ROLE).tags] == ["Relevant"]


def test_tagging_a_selection_is_one_undo_step(qtbot, browser) -> None:
    b = browser
    lst = _select_newest_message(qtbot, b)
    qtbot.keyClick(lst, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(lst, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    rowids = b.workbench.selected_rowids()
    assert len(rowids) == 3
    qtbot.keyClick(lst, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    stack = b.workbench.annotations.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Tag 3 messages Privileged"
    assert set(an.marks_for(b.case.conn, rowids)) == set(rowids)
    stack.undo()
    assert an.marks_for(b.case.conn, rowids) == {}


def test_note_from_the_keyboard(qtbot, browser) -> None:
    b = browser
    lst = _select_newest_message(qtbot, b)
    qtbot.keyClick(
        lst, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dlg = b.workbench.note_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.setTextValue("Call at 10 — check the alibi")
    dlg.accept()
    rowid = b.thread_view.current_item().rowid
    assert an.get_note(b.case.conn, rowid) == "Call at 10 — check the alibi"
    assert "Note: Call at 10 — check the alibi" in b.inspector.details_text()
    assert item_data(lst.currentIndex(), MARKS_ROLE).note == "Call at 10 — check the alibi"


def test_search_filters_by_tag(qtbot, browser) -> None:
    b = browser
    rowids = [r[0] for r in b.case.conn.execute("SELECT rowid FROM messages LIMIT 4")]
    b.workbench.annotations.add_tag(rowids, "Follow up")
    search = b.search
    at = search.tagged.findData("Follow up")
    assert at > 0
    with qtbot.waitSignal(search.model.finished, timeout=10_000):
        search.tagged.setCurrentIndex(at)
        search.run_now()
    assert search.model.rowCount() == 4


def test_names_are_shown_with_the_numbers(qtbot, browser) -> None:
    b = browser
    set_names(
        b.case,
        [(f"({BIG_OTHER[1:4]}) {BIG_OTHER[4:7]}-{BIG_OTHER[7:]}", "Alice Big")],
        source="file",
        origin="book.csv",
        examiner="T",
    )
    b.workbench.reload_names()
    model = b.conversations.conversation_model
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any(t == f"Alice Big (+{BIG_OTHER})" for t in titles), titles
    _select_newest_message(qtbot, b)
    assert b.thread_view.title.text() == f"Alice Big (+{BIG_OTHER})"
    m = b.thread_view.current_item()
    index = b.thread_view.list.currentIndex()
    if not m.outgoing:
        assert item_data(index, SENDER_LABEL_ROLE) == f"Alice Big ({m.sender or m.other_party})"
    details = b.inspector.details_text()
    assert "Alice Big — imported from the file book.csv" in details


def test_a_received_vcard_names_its_numbers(qtbot, browser) -> None:
    from msgcopy_viewer.ui.mms.contact_card import ContactCard

    b = browser
    contact = Contact(
        part=1, name="Carol Card", phones=("+1 (972) 555-0142",), emails=(), org=None,
        addresses=(), photo_sha256=None, photo_type=None, parsed=True, raw=None,
    )  # fmt: skip
    card = ContactCard(contact, None, b.case, None, message_id="abc123")
    qtbot.addWidget(card)
    assert card.use_name_button.isEnabled()
    qtbot.mouseClick(card.use_name_button, Qt.MouseButton.LeftButton)
    entry = b.workbench.names.lookup("9725550142", b.case.conn.execute(
        "SELECT mobile FROM subscribers LIMIT 1").fetchone()[0])  # fmt: skip
    assert entry is not None and entry.name == "Carol Card"
    assert entry.provenance == "from the vCard in message abc123"


# -- models -----------------------------------------------------------------------------------


@pytest.fixture
def case(browse_case) -> Iterator[Case]:
    c = Case.open(browse_case)
    yield c
    c.close()


def test_tag_models(qtmodeltester, case: Case, monkeypatch) -> None:
    from msgcopy_viewer.ui.models import tag_models

    rowids = [r[0] for r in case.conn.execute("SELECT rowid FROM messages LIMIT 12")]
    an.tag_messages(case, rowids, "Relevant", examiner="T")
    tags = TagListModel()
    tags.reload(case.conn)
    qtmodeltester.check(tags)
    assert tags.rowCount() == 3 and tags.index(0, 0).data().startswith("Relevant (12)")
    monkeypatch.setattr(tag_models, "PAGE", 5)
    msgs = TaggedMessagesModel(TimeZoneSettings())
    msgs.set_tag(case.conn, tags.tag_at(0))
    qtmodeltester.check(msgs)
    while msgs.canFetchMore():
        msgs.fetchMore()
    assert sorted(msgs.item(r).rowid for r in range(msgs.rowCount())) == sorted(rowids)
    qtmodeltester.check(msgs)


def test_gallery_model(qtmodeltester, case: Case, monkeypatch) -> None:
    from msgcopy_viewer.ui.models import gallery_model

    monkeypatch.setattr(gallery_model, "PAGE", 4)
    model = GalleryModel(TimeZoneSettings())
    model.set_source(case.conn)
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() > 10
    qtmodeltester.check(model)


def test_gallery_asks_only_for_visible_thumbnails(qtbot, browse_case) -> None:
    from msgcopy_viewer.ui.thumbnails import ThumbnailCache
    from msgcopy_viewer.ui.widgets.gallery_view import GalleryPanel

    c = Case.open(browse_case)
    thumbs = ThumbnailCache()
    thumbs.set_case_path(c.path)
    try:
        panel = GalleryPanel(TimeZoneSettings(), thumbs)
        qtbot.addWidget(panel)
        panel.resize(420, 260)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_connection(c.conn, c)
        model, view = panel.model, panel.view
        while model.canFetchMore():
            model.fetchMore()
        view.doItemsLayout()
        view.viewport().repaint()
        qtbot.waitUntil(lambda: bool(model.requested))
        visible = {
            model.item(r).part.sha256
            for r in range(model.rowCount())
            if view.visualRect(model.index(r, 0)).intersects(view.viewport().rect())
        }
        images = {
            model.item(r).part.sha256
            for r in range(model.rowCount())
            if model.item(r).kind == "image"
        }
        asked = set(model.requested)
        assert asked and asked <= visible | {model.item(0).part.sha256}
        assert len(images - asked) > 5  # the ones off screen were never asked for
        # scrolling asks for the newly visible ones
        view.scrollToBottom()
        view.viewport().repaint()
        qtbot.waitUntil(lambda: len(set(model.requested)) > len(asked))
        last = model.item(model.rowCount() - 1)
        if last.kind == "image":
            assert last.part.sha256 in model.requested
        # opening the message of a thumbnail
        with qtbot.waitSignal(panel.messageRequested) as got:
            view.doubleClicked.emit(model.index(0, 0))
        assert got.args == [model.item(0).message_rowid]
    finally:
        thumbs.shutdown()
        c.close()


def test_gallery_saves_the_selection_with_manifests(qtbot, browse_case, tmp_path) -> None:
    import hashlib

    from msgcopy_viewer.ui.widgets.gallery_view import GalleryPanel

    c = Case.open(browse_case)
    try:
        panel = GalleryPanel(TimeZoneSettings(), None)
        qtbot.addWidget(panel)
        panel.set_connection(c.conn, c)
        assert panel.save_to(tmp_path / "none") == "Select the thumbnails to save first."
        view = panel.view
        for r in (0, 2):
            view.selectionModel().select(
                panel.model.index(r, 0), view.selectionModel().SelectionFlag.Select
            )
        text = panel.save_to(tmp_path / "out")
        assert text.startswith("Saved 2 files"), text
        lines = (tmp_path / "out" / "manifest.sha256").read_text().splitlines()
        assert len(lines) == 2
        for line in lines:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest
    finally:
        c.close()


# -- timeline and graph -----------------------------------------------------------------------


def test_timeline_drag_filters_the_search(qtbot, browser) -> None:
    from msgcopy_viewer.ui.widgets.timeline_view import TimelinePanel

    b = browser
    panel = TimelinePanel(b.tz)
    qtbot.addWidget(panel)
    panel.resize(900, 320)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_connection(b.case.conn)
    chart = panel.chart
    assert chart.buckets and sum(x.total for x in chart.buckets) == b.case.counts()["messages"]
    panel.rangeSelected.connect(b.search.set_time_range)
    vp = chart.viewport()
    y = vp.height() // 2
    plot = chart.chart().plotArea()
    x0 = int(chart.mapFromScene(plot.left() + plot.width() * 0.3, 0).x())
    x1 = int(chart.mapFromScene(plot.left() + plot.width() * 0.6, 0).x())
    first, last = chart.bucket_at(x0), chart.bucket_at(x1)
    assert 0 <= first < last
    with qtbot.waitSignal(panel.rangeSelected) as got:
        qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=QPoint(x0, y))
        qtbot.mouseMove(vp, QPoint(x1, y))
        qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=QPoint(x1, y))
    assert got.args == [chart.buckets[first].start_ms, chart.buckets[last].end_ms]
    f = b.search.filters()
    assert f.from_ms == chart.buckets[first].start_ms and f.to_ms == chart.buckets[last].end_ms
    # other buckets and scopes
    panel.bucket.setCurrentIndex(2)
    assert all(x.end_ms - x.start_ms >= 28 * 86_400_000 for x in chart.buckets)


def test_contact_graph_click_opens_the_conversation(qtbot, browser) -> None:
    from msgcopy_viewer.ui.widgets.contact_graph import CONV_KEY, ContactGraphView

    b = browser
    view = ContactGraphView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_connection(b.case.conn, b.workbench.names)
    assert view.graph is not None and view.graph.edges
    view.fit()
    target = next(
        i for i in view.scene().items() if i.data(CONV_KEY) and i.boundingRect().width() < 40
    )  # a party's dot
    pos = view.mapFromScene(target.sceneBoundingRect().center())
    with qtbot.waitSignal(view.conversationRequested) as got:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    cid = got.args[0]
    row = b.case.conn.execute(
        "SELECT last_rowid FROM conversations WHERE id = ?", (cid,)
    ).fetchone()
    assert row is not None
    assert b.open_rowid(row[0])
    assert b.thread_view.conversation().id == cid


def test_examiner_name_saved_by_the_app_is_read_by_the_cli(make_window, data_dir) -> None:
    from msgcopy_viewer.examiner import examiner_name, saved_examiner

    window = make_window()
    window.workbench.set_examiner('  Doe,   Jane "JD" ')
    assert window.workbench.examiner() == 'Doe, Jane "JD"'
    window.settings.sync()
    assert saved_examiner(data_dir) == 'Doe, Jane "JD"'
    assert examiner_name(None, data_dir) == 'Doe, Jane "JD"'
    assert examiner_name("Given Name", data_dir) == "Given Name"
