"""One conversation's messages, a window of pages that grows in both directions.

Opening a conversation loads only its last page (the newest messages, like a chat);
scrolling up calls ``fetch_older``, scrolling down past the window ``fetch_newer``; a
jump loads a window around the target with ``load_around``. Pages are keyset queries on
``(start_ms, rowid)``. The view (``BubbleListView``) drives the paging both ways, so that
each page it adds is balanced by rows dropped at the other end and the message the user
reads stays in place; the model does not offer Qt's ``canFetchMore``/``fetchMore``,
with which the view would add pages on its own, without either.

The window is bounded (``MAX_ROWS``): a page loaded at one end drops rows at the other
end (they are read again if the user scrolls back), so scrolling through a thread of a
hundred thousand messages keeps memory, and the view's relayout after each page, flat.
Pages are small because every new row is laid out by the bubble delegate when it
arrives (the view sizes all rows of the model).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.annotations import Marks, marks_for
from msgcopy_viewer.store.browse import (
    thread_after,
    thread_before,
    thread_has_after,
    thread_has_before,
    thread_window,
)
from msgcopy_viewer.store.connection import CaseConnection
from msgcopy_viewer.store.messages import Message
from msgcopy_viewer.ui.models.base import RowListModel
from msgcopy_viewer.ui.models.roles import (
    BUBBLE_ROLE,
    HIGHLIGHT_ROLE,
    ID_ROLE,
    MARKS_ROLE,
    ROW_ROLE,
    SENDER_LABEL_ROLE,
    SEPARATOR_ROLE,
    TIME_TEXT_ROLE,
    tooltip_html,
)

PAGE = 50
MAX_ROWS = 300  # rows kept in the window (the bubble delegate caches more layouts than that)
DAY_KEYS = 8000  # calendar days remembered per start time (well above the window)
Index = QModelIndex | QPersistentModelIndex


class ThreadModel(RowListModel):
    def __init__(self, tz=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._conn: CaseConnection | None = None
        self._cid: str | None = None
        self._has_older = False
        self._has_newer = False
        self.highlight_rowid: int | None = None
        self._fetching = False  # no nested page loads from rowsInserted handlers
        # start_ms (as recorded: with the raw startTime) -> calendar day in the zone shown
        self._day_keys: dict[object, int] = {}
        # The next page at each end, read ahead while the user reads (see ``read_ahead``);
        # None when not read yet. A page read ahead is adjacent to the window's end: any
        # change of the window that breaks that drops it.
        self._ahead_older: list[Message] | None = None
        self._ahead_newer: list[Message] | None = None
        # The examiner's marks of the rows in the window, read a window at a time (one
        # query for every row not read yet), and the case's names (NameLabels, or None).
        self._marks: dict[int, Marks | None] = {}
        self.names: Any = None

    def _on_zone_changed(self, *_a: object) -> None:
        self._day_keys.clear()
        super()._on_zone_changed()

    # -- loading ---------------------------------------------------------------------------
    @property
    def conversation_id(self) -> str | None:
        return self._cid

    def set_conversation(self, conn: CaseConnection | None, conversation_id: str | None) -> None:
        """Show a conversation's newest page (None: nothing)."""
        self.beginResetModel()
        self._conn, self._cid = conn, conversation_id
        self.highlight_rowid = None
        self._rows = []
        self._forget_ahead()
        self._has_older = self._has_newer = False
        if conn is not None and conversation_id is not None:
            self._rows = thread_before(conn, conversation_id, None, PAGE)
            self._has_older = len(self._rows) == PAGE and thread_has_before(
                conn, conversation_id, self._rows[0].key
            )
        self._fetching = True  # views/testers react to the reset: no nested loads
        try:
            self.endResetModel()
        finally:
            self._fetching = False

    def load_around(self, conn: CaseConnection, rowid: int, *, highlight: bool = True) -> int:
        """Load a window around message ``rowid`` (switching conversation if needed);
        returns its row, or -1."""
        items, pos = thread_window(conn, rowid, PAGE // 2, PAGE // 2)
        if pos < 0:
            return -1
        self.beginResetModel()
        self._conn, self._cid = conn, items[pos].conversation_id
        self._rows = items
        self._forget_ahead()
        self._has_older = thread_has_before(conn, self._cid, items[0].key)
        self._has_newer = thread_has_after(conn, self._cid, items[-1].key)
        self.highlight_rowid = rowid if highlight else None
        self._fetching = True  # views/testers react to the reset: no nested loads
        try:
            self.endResetModel()
        finally:
            self._fetching = False
        return pos

    def refresh(self, anchor_rowid: int | None = None) -> None:
        """Re-read after an import: keeps the window around ``anchor_rowid`` (or the current
        window's start) and picks up newly imported messages inside it."""
        if self._conn is None or self._cid is None:
            return
        if not self._rows:
            self.set_conversation(self._conn, self._cid)
            return
        highlight = self.highlight_rowid
        if anchor_rowid is None or self.row_of(anchor_rowid) < 0:
            anchor_rowid = self._rows[len(self._rows) // 2].rowid
        # same span as now, both sides
        pos = self.row_of(anchor_rowid)
        before = max(PAGE // 2, pos)
        after = max(PAGE // 2, len(self._rows) - pos)
        if not self._has_newer:
            after = len(self._rows) + PAGE  # at the end: show what was appended too
        items, idx = thread_window(self._conn, anchor_rowid, before, after)
        if idx < 0:
            self.set_conversation(self._conn, self._cid)
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        rowids = [
            self._rows[i.row()].rowid if 0 <= i.row() < len(self._rows) else None
            for i in persistent
        ]
        self._rows = items
        self._forget_ahead()
        self._has_older = thread_has_before(self._conn, self._cid, items[0].key)
        self._has_newer = thread_has_after(self._conn, self._cid, items[-1].key)
        pos_of = {it.rowid: n for n, it in enumerate(items)}
        self.changePersistentIndexList(
            persistent,
            [self.index(pos_of[r], 0) if r in pos_of else QModelIndex() for r in rowids],
        )
        self.highlight_rowid = highlight
        self._fetching = True
        try:
            self.layoutChanged.emit()
        finally:
            self._fetching = False

    # newer rows: asked for by the view when scrolled to the bottom
    def can_fetch_newer(self) -> bool:
        return self._has_newer and not self._fetching

    def fetch_newer(self) -> None:
        """Append the next page (rows beyond the window are dropped by ``trim_front``)."""
        if not self.can_fetch_newer() or self._conn is None or self._cid is None:
            return
        page = self._ahead_newer
        self._ahead_newer = None
        if page is None:
            page = thread_after(self._conn, self._cid, self._rows[-1].key, PAGE)
        self._has_newer = len(page) == PAGE and thread_has_after(
            self._conn, self._cid, page[-1].key
        )
        if page:
            first = len(self._rows)
            self._fetching = True
            try:
                self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
            finally:
                self._fetching = False

    # older rows: asked for by the view when scrolled to the top
    def can_fetch_older(self) -> bool:
        return self._has_older and not self._fetching

    def fetch_older(self) -> int:
        """Prepend the previous page; returns how many rows were inserted at the top."""
        if not self.can_fetch_older() or self._conn is None or self._cid is None or not self._rows:
            return 0
        page = self._ahead_older
        self._ahead_older = None
        if page is None:
            page = thread_before(self._conn, self._cid, self._rows[0].key, PAGE)
        self._has_older = len(page) == PAGE and thread_has_before(
            self._conn, self._cid, page[0].key
        )
        if page:
            self._fetching = True
            try:
                self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
                self._rows[0:0] = page
                self.endInsertRows()
            finally:
                self._fetching = False
            # the previously first row may lose its date separator
            self.dataChanged.emit(self.index(len(page), 0), self.index(len(page), 0))
            self._trim_back()
        return len(page)

    def _trim_back(self) -> None:
        """Drop the newest rows beyond ``MAX_ROWS`` (after a page was added at the top)."""
        excess = len(self._rows) - MAX_ROWS
        if excess <= 0:
            return
        first = len(self._rows) - excess
        self._fetching = True
        try:
            self.beginRemoveRows(QModelIndex(), first, len(self._rows) - 1)
            del self._rows[first:]
            self._ahead_newer = None  # no longer next to the window's end
            self.endRemoveRows()
        finally:
            self._fetching = False
        self._has_newer = True

    def trim_front(self) -> int:
        """Drop the oldest rows beyond ``MAX_ROWS`` (after pages were added at the bottom);
        returns how many rows were removed from the top. The view calls it, keeping the
        scroll position on the message the user reads."""
        excess = len(self._rows) - MAX_ROWS
        if excess <= 0:
            return 0
        self._fetching = True
        try:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._rows[:excess]
            self._ahead_older = None  # no longer next to the window's start
            self.endRemoveRows()
        finally:
            self._fetching = False
        self._has_older = True
        # the new first row always shows its date separator
        self.dataChanged.emit(self.index(0, 0), self.index(0, 0))
        return excess

    # -- reading ahead ---------------------------------------------------------------------
    def _forget_ahead(self) -> None:
        self._ahead_older = self._ahead_newer = None

    def read_ahead(self, newer: bool) -> list[tuple[Message, bool]]:
        """Read the next page at one end without adding it (the view calls this when idle,
        so that adding it later costs no query), and return its messages with whether each
        will show a date separator once added — for laying their bubbles out ahead.
        Empty when there is nothing more at that end."""
        if self._conn is None or self._cid is None or not self._rows or self._fetching:
            return []
        if newer:
            if not self._has_newer:
                return []
            if self._ahead_newer is None:
                self._ahead_newer = thread_after(self._conn, self._cid, self._rows[-1].key, PAGE)
            page, before = self._ahead_newer, self._rows[-1]
        else:
            if not self._has_older:
                return []
            if self._ahead_older is None:
                self._ahead_older = thread_before(self._conn, self._cid, self._rows[0].key, PAGE)
            page, before = self._ahead_older, None
        out: list[tuple[Message, bool]] = []
        prev = before
        for m in page:
            out.append((m, prev is None or not self._same_day(prev, m)))
            prev = m
        # The row at the border changes with the page: the old first row loses its date
        # separator when the page above ends on its day; the row that becomes first when
        # the window's oldest rows are dropped gains one.
        if not newer and page:
            out.append((self._rows[0], not self._same_day(page[-1], self._rows[0])))
        elif newer and page:
            first = len(self._rows) + len(page) - MAX_ROWS
            if 0 < first < len(self._rows):
                out.append((self._rows[first], True))
        return out

    def _same_day(self, a: Message, b: Message) -> bool:
        return self._day_key(a.start_ms, a.start_raw) == self._day_key(b.start_ms, b.start_raw)

    # -- the examiner's marks ----------------------------------------------------------------
    def _marks_of(self, rowid: int) -> Marks | None:
        if rowid not in self._marks and self._conn is not None:
            if len(self._marks) > 4 * MAX_ROWS:
                self._marks.clear()
            todo = [m.rowid for m in self._rows if m.rowid not in self._marks]
            found = marks_for(self._conn, todo)
            for r in todo:
                self._marks[r] = found.get(r)
        return self._marks.get(rowid)

    def reload_marks(self) -> None:
        """Read the marks again (after the examiner changed some) and repaint."""
        self._marks.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def sender_label(self, m: Message) -> str:
        number = m.sender or m.other_party
        if self.names is None:
            return number
        return self.names.label(number, m.subscriber_key)

    # -- lookups ---------------------------------------------------------------------------
    def row_of(self, rowid: int) -> int:
        for n, it in enumerate(self._rows):
            if it.rowid == rowid:
                return n
        return -1

    def item(self, row: int) -> Message | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _day_key(self, ms: int, raw: str) -> int:
        """``tz.day_key`` remembered: the view asks for every row's size after each page
        load, and converting an instant to a zoned date is most of that question's cost."""
        recorded = self._tz is not None and self._tz.recorded
        cache_key = (ms, raw) if recorded else ms  # as recorded, the day is the raw string's
        key = self._day_keys.get(cache_key)
        if key is None:
            if len(self._day_keys) >= DAY_KEYS:
                self._day_keys.clear()
            day = self._tz.day_key(ms, raw) if self._tz is not None else ms // 86_400_000
            key = self._day_keys[cache_key] = day
        return key

    def bubble_key(self, row: int) -> tuple[int, int] | None:
        """What the size of the bubble at ``row`` depends on besides the view's width, the
        zone and the font: its message and the one before it (which decides the date
        separator), as rowids (0: none). The delegate answers size questions with it
        before any other work."""
        rows = self._rows
        if not 0 <= row < len(rows):
            return None
        return (rows[row].rowid, rows[row - 1].rowid if row else 0)

    def starts_day(self, row: int) -> bool:
        """Whether the message at ``row`` is the first of its calendar day in the window
        (it then shows a date separator)."""
        if row == 0:
            return True
        rows = self._rows
        a, b = rows[row - 1], rows[row]
        return self._day_key(a.start_ms, a.start_raw) != self._day_key(b.start_ms, b.start_raw)

    # -- QAbstractListModel ----------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == BUBBLE_ROLE:  # first: asked for every row after every page load
            row = index.row()
            if not index.isValid() or not 0 <= row < len(self._rows):
                return None
            return self._rows[row], self.starts_day(row)
        it = self._row(index)
        if it is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return it.text
        if role == ROW_ROLE:
            return it
        if role == SEPARATOR_ROLE:
            return self.starts_day(index.row())
        if role == ID_ROLE:
            return it.rowid
        if role == HIGHLIGHT_ROLE:
            return it.rowid == self.highlight_rowid
        if role == MARKS_ROLE:
            return self._marks_of(it.rowid)
        if role == SENDER_LABEL_ROLE:
            return self.sender_label(it)
        if role == TIME_TEXT_ROLE:
            return self._tz.time_text(it.start_ms, it.start_raw) if self._tz is not None else ""
        if role == Qt.ItemDataRole.ToolTipRole:  # the raw startTime is evidence: escaped
            if self._tz is None:
                return tooltip_html(it.start_raw)
            return tooltip_html(self._tz.tooltip(it.start_ms, it.start_raw))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            who = "Sent" if it.outgoing else f"Received from {it.sender or it.other_party}"
            when = (
                self._tz.full_text(it.start_ms, it.start_raw)
                if self._tz is not None
                else it.start_raw
            )
            parts = [f"{who}, {when}"]
            if it.is_report:
                parts.append(it.report_summary())
            if it.subject:
                parts.append(f"subject {it.subject}")
            if it.text:
                parts.append(it.text)
            if it.parts:
                parts.append(
                    f"{counted(len(it.images), 'image')}, "
                    f"{counted(len(it.attachments), 'attachment')}"
                )
            if it.warnings:
                parts.append(counted(len(it.warnings), "warning"))
            return ". ".join(parts)
        return None
