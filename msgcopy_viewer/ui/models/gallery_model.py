"""The media gallery's model: every image and video of the case (or a conversation),
newest first, paged (``canFetchMore``/``fetchMore`` over ``store.gallery.media_page``).

Thumbnails come from the browser's ``ThumbnailCache`` — the bubbles' decoder — and are
asked for only when the view asks for an item's decoration, which a list view in icon
mode with uniform item sizes does for the items it paints: scrolling ten thousand images
decodes the visible ones only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap

from msgcopy_viewer.store.gallery import GalleryItem, GalleryKey, media_page
from msgcopy_viewer.ui.icons import icon as named_icon
from msgcopy_viewer.ui.models.base import RowListModel
from msgcopy_viewer.ui.models.roles import ID_ROLE, ROW_ROLE, TIME_TEXT_ROLE, tooltip_html

PAGE = 200
ICON = 128
Index = QModelIndex | QPersistentModelIndex


class GalleryModel(RowListModel):
    def __init__(self, tz=None, thumbnails=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._rows: list[GalleryItem] = []
        self._conn = None
        self._conversation: str | None = None
        self._next: GalleryKey | None = None
        self._more = False
        self._fetching = False
        self._thumbs = thumbnails
        self._rows_of: dict[str, list[int]] = {}  # sha256 -> rows showing it
        self.requested: list[str] = []  # thumbnails asked of the cache (tests)
        self.names: Any = None  # NameLabels
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumb)

    def set_source(self, conn, conversation_id: str | None = None) -> None:
        self.beginResetModel()
        self._conn, self._conversation = conn, conversation_id
        self._rows = []
        self._rows_of = {}
        self._next = None
        self._more = conn is not None
        self.requested = []
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.canFetchMore() or self._conn is None:
            return
        items: list[GalleryItem] = []
        while self._more and not items:  # a page may hold no image (other kinds skipped)
            got, self._next = media_page(
                self._conn, conversation_id=self._conversation, before=self._next, limit=PAGE
            )
            self._more = self._next is not None
            items.extend(got)
        if not items:
            return
        first = len(self._rows)
        self._fetching = True  # no nested fetchMore from rowsInserted handlers
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
            self._rows.extend(items)
            for n, it in enumerate(items, first):
                self._rows_of.setdefault(it.part.sha256, []).append(n)
            self.endInsertRows()
        finally:
            self._fetching = False

    def item(self, row: int) -> GalleryItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _on_thumb(self, sha256: str) -> None:
        for row in self._rows_of.get(sha256, ()):
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def _decoration(self, it: GalleryItem):
        if it.kind == "video" or self._thumbs is None:
            return named_icon("video" if it.kind == "video" else "attachment")
        self.requested.append(it.part.sha256)
        thumb = self._thumbs.thumb(it.part.sha256)
        if thumb is None:
            return named_icon("attachment") if self._thumbs.is_failed(it.part.sha256) else None
        image: QImage = thumb.image
        return QIcon(QPixmap.fromImage(image))

    def who(self, it: GalleryItem) -> str:
        if it.direction == "mo":
            return "Sent"
        number = it.sender or it.other_party
        return self.names.label(number) if self.names is not None else number

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        it: GalleryItem | None = self._row(index)
        if it is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            when = self._tz.datetime_text(it.start_ms) if self._tz is not None else ""
            return f"{when}\n{self.who(it)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(it)
        if role == Qt.ItemDataRole.ToolTipRole:
            when = self._tz.full_text(it.start_ms) if self._tz is not None else str(it.start_ms)
            conv = ", ".join(it.participants)
            return tooltip_html(
                f"{it.part.label} ({it.part.media_type})\n{when}\nFrom: {self.who(it)}\n"
                f"Conversation: {conv}\nMessage {it.message_id}"
            )
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(ICON + 24, ICON + 48)
        if role == ROW_ROLE:
            return it
        if role == ID_ROLE:
            return it.message_rowid
        if role == TIME_TEXT_ROLE:
            return self._tz.datetime_text(it.start_ms) if self._tz is not None else ""
        return None
