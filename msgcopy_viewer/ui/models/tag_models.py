"""The Tags panel's models: the case's tags with counts, and the messages and the
conversations of one tag.

``TaggedMessagesModel`` pages a tag's messages with a keyset on the message rowid
(``canFetchMore``/``fetchMore``), reading ``Message`` objects through the store.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.annotations import (
    Tag,
    TagCount,
    tag_counts,
    tagged_conversations,
    tagged_rowids,
)
from msgcopy_viewer.store.browse import ConversationInfo, get_conversation
from msgcopy_viewer.store.messages import Message, load_messages
from msgcopy_viewer.ui.models.base import RowListModel
from msgcopy_viewer.ui.models.roles import ID_ROLE, ROW_ROLE, TIME_TEXT_ROLE

PAGE = 200
Index = QModelIndex | QPersistentModelIndex


class TagListModel(RowListModel):
    """One row per tag: ``Name (n)``, its colour as decoration."""

    def __init__(self, parent=None) -> None:
        super().__init__(None, parent)
        self._rows: list[TagCount] = []

    def reload(self, conn) -> None:
        self.beginResetModel()
        self._rows = tag_counts(conn) if conn is not None else []
        self.endResetModel()

    def tag_at(self, row: int) -> Tag | None:
        return self._rows[row].tag if 0 <= row < len(self._rows) else None

    def row_of(self, name: str) -> int:
        for n, c in enumerate(self._rows):
            if c.tag.name.casefold() == name.casefold():
                return n
        return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        c: TagCount | None = self._row(index)
        if c is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            shortcut = f"   Ctrl+{index.row() + 1}" if index.row() < 9 else ""
            convs = f", {counted(c.conversations, 'conversation')}" if c.conversations else ""
            return f"{c.tag.name} ({c.messages}{convs}){shortcut}"
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(c.tag.color)
        if role == ROW_ROLE:
            return c
        if role == ID_ROLE:
            return c.tag.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                f"Tag {c.tag.name}, {counted(c.messages, 'message')}, "
                f"{counted(c.conversations, 'conversation')}"
            )
        return None


class TaggedMessagesModel(RowListModel):
    """The messages carrying one tag, in the order they were stored (rowid), paged."""

    def __init__(self, tz=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._rows: list[Message] = []
        self._conn = None
        self._tag: Tag | None = None
        self._more = False
        self._fetching = False
        self.names: Any = None  # NameLabels, for the senders' names

    def set_tag(self, conn, tag: Tag | None) -> None:
        self.beginResetModel()
        self._conn, self._tag = conn, tag
        self._rows = []
        self._more = conn is not None and tag is not None
        self.endResetModel()

    @property
    def tag(self) -> Tag | None:
        return self._tag

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.canFetchMore() or self._conn is None or self._tag is None:
            return
        after = self._rows[-1].rowid if self._rows else None
        ids = tagged_rowids(self._conn, self._tag, after=after, limit=PAGE)
        self._more = len(ids) == PAGE
        if not ids:
            return
        page = sorted(load_messages(self._conn, ids), key=lambda m: m.rowid)
        first = len(self._rows)
        self._fetching = True  # no nested fetchMore from rowsInserted handlers
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def item(self, row: int) -> Message | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        m: Message | None = self._row(index)
        if m is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            when = self._tz.time_text(m.start_ms) if self._tz is not None else m.start_raw
            number = m.sender or m.other_party
            who = (
                "Sent"
                if m.outgoing
                else (
                    self.names.label(number, m.subscriber_key) if self.names is not None else number
                )
            )
            text = " ".join((m.text or m.subject or "").split())
            return f"{when}  {who}: {text[:80]}"
        if role == ROW_ROLE:
            return m
        if role == ID_ROLE:
            return m.rowid
        if role == TIME_TEXT_ROLE:
            return self._tz.time_text(m.start_ms) if self._tz is not None else ""
        return None


class TaggedConversationsModel(RowListModel):
    """The conversations carrying one tag, newest activity first. A case's tagged
    conversations are the examiner's picks (a handful to hundreds): read at once."""

    def __init__(self, tz=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._rows: list[ConversationInfo] = []
        self.names: Any = None  # NameLabels: titles with names

    def set_tag(self, conn, tag: Tag | None) -> None:
        self.beginResetModel()
        self._rows = []
        if conn is not None and tag is not None:
            for cid in tagged_conversations(conn, tag):
                conv = get_conversation(conn, cid)
                if conv is not None:
                    self._rows.append(conv)
        self.endResetModel()

    def item(self, row: int) -> ConversationInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def title(self, c: ConversationInfo) -> str:
        if self.names is None:
            return c.title
        return str(self.names.title(c.participants, c.subscriber_mobile))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        c: ConversationInfo | None = self._row(index)
        if c is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self.title(c)} ({counted(c.message_count, 'message')})"
        if role == ROW_ROLE:
            return c
        if role == ID_ROLE:
            return c.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Conversation with {self.title(c)}, {counted(c.message_count, 'message')}"
        if role == TIME_TEXT_ROLE:
            if self._tz is None or c.last_ms is None:
                return ""
            return self._tz.datetime_text(c.last_ms)
        return None
