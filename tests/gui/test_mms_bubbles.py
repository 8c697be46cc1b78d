"""MMS bubbles in the thread: subject, text, thumbnails (animated GIFs animate), chips for
audio/video/contacts/files, the envelope on hover, and opening the MMS viewer.

The case is built once through the real import path from the demo generator's corpus and
copied into each test's ``tmp_path``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QListView, QToolTip

from msgcopy_viewer.store.messages import Message, Part, load_messages
from msgcopy_viewer.ui import thumbnails as thumbnails_module
from msgcopy_viewer.ui.delegates.bubble_delegate import BubbleDelegate
from msgcopy_viewer.ui.models.roles import ROW_ROLE, tooltip_html
from msgcopy_viewer.ui.thumbnails import ThumbnailCache, decode_frames
from tests.gui.helpers_browse import copy_case

pytestmark = pytest.mark.gui


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mms_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from msgcopy_viewer.demo.generator import generate_demo
    from msgcopy_viewer.ingest.pipeline import Importer

    root = tmp_path_factory.mktemp("mms-bubbles")
    generate_demo(root / "corpus", messages=200, seed=1)
    case = root / "case.mcase"
    Importer(case, workers=1).run([root / "corpus"])
    return case


@pytest.fixture
def case_path(mms_master: Path, tmp_path: Path) -> Path:
    return copy_case(mms_master, tmp_path)


@pytest.fixture
def browser(qtbot: Any, case_path: Path) -> Iterator[Any]:
    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.browser import Browser

    b = Browser(TimeZoneSettings())
    qtbot.addWidget(b)
    b.resize(1500, 900)
    b.show()
    b.set_case(case_path)
    yield b
    b.shutdown()


def one(conn: sqlite3.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None, sql
    return int(row[0])


def gif_rowid(conn: sqlite3.Connection) -> int:
    """An MMS whose only image is an animated GIF."""
    return one(
        conn,
        "SELECT m.rowid FROM messages m WHERE m.type = 'mms' AND "
        "(SELECT count(*) FROM mms_parts p WHERE p.message_rowid = m.rowid "
        " AND coalesce(p.detected_type, p.content_type) LIKE 'image/%') = 1 AND EXISTS "
        "(SELECT 1 FROM mms_parts p WHERE p.message_rowid = m.rowid "
        " AND coalesce(p.detected_type, p.content_type) = 'image/gif') ORDER BY m.rowid LIMIT 1",
    )


def wait_thumbnails(qtbot: Any, b: Any) -> None:
    """Every thumbnail of the loaded thread decoded (or failed) and delivered."""
    model = b.thread_view.thread_model
    shas = [p.sha256 for r in range(model.rowCount()) for p in model.item(r).images]
    for sha in shas:
        b.thumbnails.get(sha)
    b.thumbnails.wait()
    qtbot.waitUntil(
        lambda: all(b.thumbnails.peek(s) is not None or b.thumbnails.is_failed(s) for s in shas)
    )


def open_in_thread(qtbot: Any, b: Any, rowid: int) -> QModelIndex:
    assert b.open_rowid(rowid)
    lst = b.thread_view.list
    index = lst.currentIndex()
    assert index.data(ROW_ROLE).rowid == rowid
    wait_thumbnails(qtbot, b)
    qtbot.waitUntil(lambda: lst.visualRect(index).intersects(lst.viewport().rect()))
    return index


def assert_not_blank(image: QImage, minimum: int = 8) -> None:
    w, h = image.width(), image.height()
    colours = {
        image.pixel(x, y)
        for x in range(0, w, max(1, w // 40))
        for y in range(0, h, max(1, h // 40))
    }
    assert len(colours) > minimum, f"image looks blank ({len(colours)} colours)"


class PaintSpy(QObject):
    """Records the rectangles of the paint events a widget receives."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        self.on_paint: Callable[[], None] | None = None
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())  # type: ignore[attr-defined]
            if self.on_paint is not None:
                self.on_paint()
        return False

    def remove(self) -> None:
        self._widget.removeEventFilter(self)


class ItemsModel(QAbstractListModel):
    """A thread of hand-made items (for parts the demo corpus has no example of)."""

    def __init__(self, items: list[Message]) -> None:
        super().__init__()
        self.items = items

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.start_raw
        return None


def part(index: int, ctype: str, name: str, size: int = 2048) -> Part:
    return Part(index, ctype, None, name, None, None, None, size, f"{index:064x}", False, True)


# -- what the bubble shows --------------------------------------------------------------------
def test_bubble_paints_subject_text_thumbnails_and_every_chip_kind(
    qtbot: Any, case_path: Path, tmp_path: Path
) -> None:
    from msgcopy_viewer.ui.timezone import TimeZoneSettings

    conn = sqlite3.connect(case_path)
    try:
        contact_rowid = one(
            conn,
            "SELECT rowid FROM messages WHERE type = 'mms' AND "
            "json_array_length(json_extract(mms, '$.contacts')) > 0 ORDER BY rowid LIMIT 1",
        )
        contact_name = conn.execute(
            "SELECT json_extract(mms, '$.contacts[0].name') FROM messages WHERE rowid = ?",
            (contact_rowid,),
        ).fetchone()[0]
        image_rowid = one(
            conn,
            "SELECT message_rowid FROM mms_parts WHERE coalesce(detected_type, content_type) "
            "= 'image/jpeg' ORDER BY message_rowid LIMIT 1",
        )
        (item,) = load_messages(conn, [contact_rowid])
        (with_image,) = load_messages(conn, [image_rowid])
    finally:
        conn.close()
    assert contact_name
    # one bubble with everything: subject, a real image, audio, video, a contact, a file
    item = replace(
        item,
        subject="Holiday <plans> & more",
        text="See the attachments",
        direction="mt",
        parts=(
            *with_image.images,
            *[p for p in item.parts if p.kind == "contact"],
            part(90, "audio/amr", "voice.amr"),
            part(91, "video/mp4", "clip.mp4"),
            part(92, "application/pdf", "report.pdf"),
        ),
    )

    thumbs = ThumbnailCache()
    thumbs.set_case_path(case_path)
    view = QListView()
    qtbot.addWidget(view)
    view.resize(700, 520)
    delegate = BubbleDelegate(TimeZoneSettings(), thumbs, view)
    view.setItemDelegate(delegate)
    model = ItemsModel([item])
    view.setModel(model)
    view.show()
    try:
        sha = with_image.images[0].sha256
        qtbot.waitUntil(lambda: thumbs.get(sha) is not None)
        view.viewport().update()
        # what is laid out is what is painted: read it back from the delegate's cache
        qtbot.waitUntil(lambda: any(k[0] == item.rowid for k in delegate._cache))
        lay = next(v for k, v in delegate._cache.items() if k[0] == item.rowid)
        chips = [text for _r, text, _p in lay.chips]
        assert chips[0] == f"Contact: {contact_name} · {chips[0].rsplit(' · ', 1)[1]}"
        assert chips[1].startswith("Audio: voice.amr · 2 KB")
        assert chips[2].startswith("Video: clip.mp4")
        assert chips[3].startswith("File: report.pdf")
        assert lay.subject is not None and lay.subject.text() == item.subject
        assert lay.text is not None and lay.text.text() == item.text
        assert len(lay.thumbs) == 1
        image = view.viewport().grab().toImage()
        image.save(str(tmp_path / "bubble.png"))
        # the thumbnail box holds the picture (many colours), not the "Image…" placeholder
        box = lay.thumbs[0][0].translated(lay.bubble.topLeft()).toRect()
        dpr = image.devicePixelRatio()
        assert_not_blank(image.copy(QRect(box.topLeft() * dpr, box.size() * dpr)), 20)
    finally:
        thumbs.shutdown()


def test_thumbnails_decode_off_the_gui_thread_and_paint_never_waits(
    qtbot: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[bool] = []
    real = thumbnails_module.decode_frames

    def spy(data: bytes, *a: Any, **kw: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(data, *a, **kw)

    monkeypatch.setattr(thumbnails_module, "decode_frames", spy)
    b = browser
    rowid = gif_rowid(b.case.conn)
    assert b.open_rowid(rowid)
    b.thread_view.grab()  # paints: schedules decodes, returns placeholders
    wait_thumbnails(qtbot, b)
    assert threads and not any(threads), "a thumbnail was decoded on the GUI thread"


# -- animated GIFs ----------------------------------------------------------------------------
def test_animated_gif_thumbnail_animates_by_repainting_only_its_box(
    qtbot: Any, browser: Any
) -> None:
    b = browser
    rowid = gif_rowid(b.case.conn)
    index = open_in_thread(qtbot, b, rowid)
    delegate = b.thread_view.delegate
    item = index.data(ROW_ROLE)
    gif = item.images[0]
    thumb = b.thumbnails.peek(gif.sha256)
    assert thumb is not None and thumb.animated and len(thumb.frames) > 1
    assert all(f.width() <= 240 and f.height() <= 240 for f in thumb.frames)
    key = (rowid, gif.index)
    qtbot.waitUntil(lambda: key in delegate.animations())
    assert delegate.is_animating()
    viewport = b.thread_view.list.viewport()
    spy = PaintSpy(viewport)
    try:
        rect = delegate.animations()[key][0]
        box = rect.toAlignedRect()
        area = viewport.width() * viewport.height()
        frames_painted: set[int] = set()

        def note_frame() -> None:
            r = spy.rects[-1]
            if r.contains(box) and r.width() * r.height() < area / 4:
                frames_painted.add(delegate.animations()[key][1])

        spy.on_paint = note_frame
        # successive frames are shown by repainting the thumbnail's box, not the whole list
        qtbot.waitUntil(lambda: len(frames_painted) >= 3, timeout=3000)
        # the bubble's size did not change: the cached layout stays valid
        sizes = {k: v.height for k, v in delegate._cache.items() if k[0] == rowid}
        third = delegate.animations()[key][1]
        qtbot.waitUntil(lambda: delegate.animations()[key][1] != third, timeout=3000)
        assert {k: v.height for k, v in delegate._cache.items() if k[0] == rowid} == sizes
    finally:
        spy.remove()
    # hidden: the timer stops; shown again: it starts with the next paint
    b.hide()
    qtbot.waitUntil(lambda: not delegate.is_animating(), timeout=3000)
    assert not delegate.animations()
    b.show()
    qtbot.waitUntil(lambda: delegate.is_animating(), timeout=3000)


def test_no_animation_timer_without_animated_thumbnails(qtbot: Any, browser: Any) -> None:
    b = browser
    rowid = one(
        b.case.conn,
        "SELECT m.rowid FROM messages m WHERE m.type = 'mms' AND NOT EXISTS "
        "(SELECT 1 FROM mms_parts p JOIN messages o ON o.rowid = p.message_rowid "
        " WHERE o.conversation_id = m.conversation_id "
        " AND coalesce(p.detected_type, p.content_type) = 'image/gif') "
        "AND EXISTS (SELECT 1 FROM mms_parts p WHERE p.message_rowid = m.rowid "
        " AND coalesce(p.detected_type, p.content_type) = 'image/jpeg') LIMIT 1",
    )
    open_in_thread(qtbot, b, rowid)
    b.thread_view.grab()
    assert not b.thread_view.delegate.animations()
    assert not b.thread_view.delegate.is_animating()


def test_gif_frames_are_bounded() -> None:
    import random

    from msgcopy_viewer.demo.media import make_animated_gif, make_jpeg

    gif = make_animated_gif(random.Random(5), frames=10)
    full = decode_frames(gif)
    assert full is not None and len(full.frames) == 10
    assert full.delays == [120] * 10 and full.duration_ms == 1200
    assert [full.frame_at(ms) for ms in (0, 119, 120, 1199, 1200)] == [0, 0, 1, 9, 0]
    assert full.ms_to_next_frame(130) == 110
    few = decode_frames(gif, max_frames=3)
    assert few is not None and len(few.frames) == 3
    small = decode_frames(gif, max_bytes=full.frames[0].sizeInBytes() * 2)
    assert small is not None and len(small.frames) == 2
    still = decode_frames(make_jpeg(random.Random(5)))
    assert still is not None and not still.animated
    assert max(still.image.width(), still.image.height()) == 240
    assert decode_frames(b"not an image") is None


def test_cache_is_bounded_in_bytes_and_drops_stale_results(
    qtbot: Any, case_path: Path, tmp_path: Path
) -> None:
    conn = sqlite3.connect(case_path)
    try:
        shas = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT sha256 FROM mms_parts WHERE "
                "coalesce(detected_type, content_type) LIKE 'image/%' LIMIT 12"
            )
        ]
    finally:
        conn.close()
    assert len(shas) >= 6
    cache = ThumbnailCache(max_bytes=600_000)  # two or three decoded thumbnails
    cache.set_case_path(case_path)
    try:
        for sha in shas:
            assert cache.get(sha) is None  # never decoded on the caller's thread
        cache.wait()
        qtbot.waitUntil(lambda: cache.peek(shas[-1]) is not None or cache.is_failed(shas[-1]))
        qtbot.waitUntil(lambda: not cache._pending)
        assert 0 < cache.cached_bytes <= 600_000
        held = [s for s in shas if cache.peek(s) is not None]
        assert 0 < len(held) < len(shas)
        # results of a previous case are dropped
        cache.set_case_path(case_path)
        cache.get(shas[0])
        cache.set_case_path(tmp_path / "other.mcase")
        cache.wait()
        QApplication.processEvents()
        assert cache.peek(shas[0]) is None and cache.cached_bytes == 0
    finally:
        cache.shutdown()


# -- hover ------------------------------------------------------------------------------------
def test_tooltip_names_sender_recipients_and_subject_as_plain_text(
    qtbot: Any, case_path: Path, browser: Any
) -> None:
    b = browser
    b.set_case(None)
    conn = sqlite3.connect(case_path)
    try:
        rowid = one(
            conn,
            "SELECT m.rowid FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.type = 'mms' AND c.is_group = 1 AND m.direction = 'mt' AND "
            "json_array_length(json_extract(m.mms, '$.recipients.cc')) > 0 LIMIT 1",
        )
        subject = "<b>Plans</b> & more"
        with conn:
            conn.execute("UPDATE messages SET subject = ? WHERE rowid = ?", (subject, rowid))
        mms = json.loads(
            conn.execute("SELECT mms FROM messages WHERE rowid = ?", (rowid,)).fetchone()[0]
        )
    finally:
        conn.close()
    b.set_case(case_path)
    index = open_in_thread(qtbot, b, rowid)
    lst = b.thread_view.list
    rect = lst.visualRect(index)
    delegate = b.thread_view.delegate
    lay = next(v for k, v in delegate._cache.items() if k[0] == rowid)
    pos = rect.topLeft() + lay.bubble.center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, lst.viewport().mapToGlobal(pos))
    QApplication.sendEvent(lst.viewport(), event)
    try:
        qtbot.waitUntil(QToolTip.isVisible)
        text = delegate.tooltip_text(index)
        lines = text.splitlines()
        rec = mms["recipients"]
        assert lines[0] == f"From: {mms['sender']}"
        assert f"To: {', '.join(rec['to'])}" in lines
        assert f"Cc: {', '.join(rec['cc'])}" in lines
        assert f"Subject: {subject}" in lines
        assert any(line.startswith("UTC: ") for line in lines)  # the time is still there
        assert QToolTip.text() == tooltip_html(text)
        assert "&lt;b&gt;Plans&lt;/b&gt; &amp; more" in QToolTip.text()
        assert "<b>" not in QToolTip.text()
        # the sender's name is over a group bubble too
        assert lay.name_h > 0
    finally:
        QToolTip.hideText()


# -- opening ----------------------------------------------------------------------------------
def test_enter_on_an_mms_opens_the_viewer_with_that_message(
    qtbot: Any, make_window: Any, case_path: Path, boxes: Any
) -> None:
    from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

    window = make_window()
    assert window.open_case(case_path)
    conn = window.browser.case.conn
    rowid = one(
        conn,
        "SELECT rowid FROM messages WHERE type = 'mms' AND subject IS NOT NULL "
        "AND json_extract(mms, '$.sender') IS NOT NULL ORDER BY rowid LIMIT 1",
    )
    subject, sender = conn.execute(
        "SELECT subject, json_extract(mms, '$.sender') FROM messages WHERE rowid = ?", (rowid,)
    ).fetchone()
    assert window.browser.open_rowid(rowid)
    lst = window.browser.thread_view.list
    assert lst.currentIndex().data(ROW_ROLE).rowid == rowid
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Return)

    def dialogs() -> list[MmsViewerDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MmsViewerDialog) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(dialogs()) == 1)
    (dialog,) = dialogs()
    try:
        assert dialog.rowid == rowid
        assert dialog.windowTitle() == f"MMS — {subject}"
        assert dialog.header is not None
        assert dialog.header.subject_label.text() == subject
        assert dialog.header.values["From"].text() == sender
        assert not boxes.boxes
    finally:
        dialog.close()
    qtbot.waitUntil(lambda: not dialogs())


def test_click_on_thumbnail_opens_once(qtbot: Any, browser: Any) -> None:
    b = browser
    rowid = gif_rowid(b.case.conn)
    index = open_in_thread(qtbot, b, rowid)
    lst = b.thread_view.list
    delegate = b.thread_view.delegate
    lay = next(v for k, v in delegate._cache.items() if k[0] == rowid)
    top = lst.visualRect(index).topLeft()
    thumb = (lay.thumbs[0][0].translated(lay.bubble.topLeft())).center().toPoint() + top
    opened: list[int] = []
    b.messageOpened.connect(opened.append)
    clicked: list[int] = []

    def on_media(ix: QModelIndex) -> None:
        clicked.append(ix.data(ROW_ROLE).rowid)

    delegate.mediaClicked.connect(on_media)
    try:
        # a click elsewhere in the bubble only selects
        beside = top + QPoint(int(lay.bubble.right()) - 4, int(lay.bubble.bottom()) - 4)
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=beside)
        assert clicked == [] and opened == []
        # a click on the thumbnail opens the MMS (the thread view listens to mediaClicked)
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=thumb)
        assert clicked == [rowid] and opened == [rowid]
        assert lst.currentIndex().data(ROW_ROLE).rowid == rowid
        # the double-click that follows a click does not open it a second time
        opened.clear()
        clicked.clear()
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=thumb)
        qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=thumb)
        assert clicked == [rowid] and opened == [rowid]
    finally:
        delegate.mediaClicked.disconnect(on_media)


# -- screenshot -------------------------------------------------------------------------------
def test_screenshot_thread_with_mms_bubbles(qtbot: Any, browser: Any, shots_dir: Path) -> None:
    b = browser
    # the group conversation with the most MMS that has a GIF, pictures and a chip in it
    rowid = gif_rowid(b.case.conn)
    open_in_thread(qtbot, b, rowid)
    b.thread_view.list.scrollTo(
        b.thread_view.list.currentIndex(), QListView.ScrollHint.PositionAtCenter
    )
    wait_thumbnails(qtbot, b)
    path = shots_dir / "thread-mms-bubbles.png"
    assert b.thread_view.grab().save(str(path))
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 100 and image.height() > 100
    assert_not_blank(image)
