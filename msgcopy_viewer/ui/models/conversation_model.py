"""Conversations of the selected subscribers, by last activity, paged with a keyset.

Each row also carries the examiner's tags on the conversation (read with its page, one
query per page): the title starts with them (``[Relevant] Ann (+1 214…)``), the tooltip
and the accessible text name them, and ``CONVERSATION_TAGS_ROLE`` gives them as ``Tag`` objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.annotations import Tag, conversation_tags_for
from msgcopy_viewer.store.browse import ConversationInfo, conversations_page
from msgcopy_viewer.store.connection import CaseConnection
from msgcopy_viewer.ui.models.base import RowListModel
from msgcopy_viewer.ui.models.roles import (
    CONVERSATION_TAGS_ROLE,
    ID_ROLE,
    ROW_ROLE,
    TIME_TEXT_ROLE,
    tooltip_html,
)

PAGE = 200
Index = QModelIndex | QPersistentModelIndex


class ConversationModel(RowListModel):
    def __init__(self, tz=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._conn: CaseConnection | None = None
        self._scope: list[int] | None = None
        self._exhausted = True
        self._fetching = False  # no nested fetchMore from rowsInserted handlers
        self.names: Any = None  # NameLabels: titles show names with the numbers
        self._tags: dict[str, tuple[Tag, ...]] = {}  # conversation id → its tags

    def title(self, c: ConversationInfo) -> str:
        if self.names is None:
            return c.title
        return self.names.title(c.participants, c.subscriber_mobile)

    def tags_of(self, c: ConversationInfo) -> tuple[Tag, ...]:
        return self._tags.get(c.id, ())

    def _read_tags(self, rows: Sequence[ConversationInfo]) -> None:
        if self._conn is not None and rows:
            self._tags.update(conversation_tags_for(self._conn, [c.id for c in rows]))

    def reload_tags(self) -> None:
        """Read the tags of the loaded rows again (after a tag changed)."""
        self._tags = {}
        self._read_tags(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def _shown_title(self, c: ConversationInfo) -> str:
        tags = self.tags_of(c)
        prefix = "".join(f"[{t.name}] " for t in tags)
        return prefix + self.title(c)

    # -- loading ---------------------------------------------------------------------------
    def set_scope(self, conn: CaseConnection | None, subscriber_ids: Sequence[int] | None) -> None:
        """Show the conversations of ``subscriber_ids`` (None: all subscribers)."""
        self.beginResetModel()
        self._conn = conn
        self._scope = None if subscriber_ids is None else list(subscriber_ids)
        self._rows = []
        self._tags = {}
        self._exhausted = conn is None
        if conn is not None:
            self._rows = conversations_page(conn, self._scope, None, PAGE)
            self._exhausted = len(self._rows) < PAGE
            self._read_tags(self._rows)
        self._fetching = True  # views/testers react to the reset: no nested loads
        try:
            self.endResetModel()
        finally:
            self._fetching = False

    @property
    def scope(self) -> list[int] | None:
        return self._scope

    def refresh(self) -> None:
        """Re-read the rows loaded so far (after an import): new conversations appear in order,
        counts and snippets update; persistent indexes (selection, current) follow their
        conversation."""
        if self._conn is None:
            return
        want = max(len(self._rows), PAGE)
        new = conversations_page(self._conn, self._scope, None, want)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].id if i.row() < len(self._rows) else None for i in persistent]
        self._rows = new
        self._tags = {}
        self._read_tags(new)
        self._exhausted = len(new) < want
        pos = {c.id: n for n, c in enumerate(new)}
        self.changePersistentIndexList(
            persistent,
            [self.index(pos[cid], 0) if cid in pos else QModelIndex() for cid in ids],
        )
        self._fetching = True
        try:
            self.layoutChanged.emit()
        finally:
            self._fetching = False
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, 0))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and not self._exhausted
            and not self._fetching
            and self._conn is not None
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._conn is not None
        after = self._rows[-1].sort_key if self._rows else None
        page = conversations_page(self._conn, self._scope, after, PAGE)
        self._exhausted = len(page) < PAGE
        if page:
            self._read_tags(page)
            first = len(self._rows)
            self._fetching = True
            try:
                self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
            finally:
                self._fetching = False

    def row_of(self, conversation_id: str, *, load: bool = True) -> int:
        """Row of a conversation, paging further in (bounded) when ``load``."""
        for n, c in enumerate(self._rows):
            if c.id == conversation_id:
                return n
        while load and self.canFetchMore():
            before = len(self._rows)
            self.fetchMore()
            for n in range(before, len(self._rows)):
                if self._rows[n].id == conversation_id:
                    return n
        return -1

    def conversation(self, row: int) -> ConversationInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- QAbstractListModel ----------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        c = self._row(index)
        if c is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._shown_title(c)
        if role == ROW_ROLE:
            return c
        if role == CONVERSATION_TAGS_ROLE:
            return self.tags_of(c)
        if role == ID_ROLE:
            return c.id
        if role == TIME_TEXT_ROLE:
            if self._tz is None or c.last_ms is None:
                return ""
            return self._tz.datetime_text(c.last_ms)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [
                self.title(c),
                f"Subscriber {c.subscriber_mobile}",
                f"{counted(c.message_count, 'message')} ({c.mms_count} MMS)"
                + (", group" if c.is_group else ""),
            ]
            if self._tz is not None and c.last_ms is not None:
                lines.append("Last activity " + self._tz.full_text(c.last_ms))
            if self.tags_of(c):
                lines.append("Tags: " + ", ".join(t.name for t in self.tags_of(c)))
            return tooltip_html("\n".join(lines))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            kind = "group conversation" if c.is_group else "conversation"
            when = self._tz.datetime_text(c.last_ms) if self._tz and c.last_ms else ""
            tagged = "".join(f", tagged {t.name}" for t in self.tags_of(c))
            return (
                f"{kind} with {self.title(c)}{tagged}, {counted(c.message_count, 'message')}, "
                f"last {when}: {c.last_snippet or ''}"
            )
        return None
