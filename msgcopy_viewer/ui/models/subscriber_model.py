"""Subscribers as a tree: domain ▸ subscriber (mobile, DID, subscriber id, messages)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.browse import SubscriberInfo, group_by_domain, list_subscribers
from msgcopy_viewer.store.connection import CaseConnection
from msgcopy_viewer.ui.models.roles import ID_ROLE, ROW_ROLE, SUBSCRIBER_IDS_ROLE, tooltip_html

NO_DOMAIN = "(no domain)"
_TOP = 0xFFFFFFFF  # internal id of top-level (domain) rows

Index = QModelIndex | QPersistentModelIndex


class SubscriberModel(QAbstractItemModel):
    COLUMNS = ("Subscriber", "DID", "Subscriber ID", "Messages")
    COL_MOBILE, COL_DID, COL_SUBR, COL_COUNT = range(4)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[SubscriberInfo]]] = []

    # -- loading ---------------------------------------------------------------------------
    def set_connection(self, conn: CaseConnection | None) -> None:
        self.beginResetModel()
        self._groups = group_by_domain(list_subscribers(conn)) if conn is not None else []
        self.endResetModel()

    def refresh(self, conn: CaseConnection | None) -> None:
        """Re-read (after an import). Existing rows are updated in place, new ones inserted."""
        if conn is None:
            self.set_connection(None)
            return
        new = group_by_domain(list_subscribers(conn))
        old_shape = [(d, [s.id for s in subs]) for d, subs in self._groups]
        new_shape = [(d, [s.id for s in subs]) for d, subs in new]
        if old_shape == new_shape:
            self._groups = new
            if new:
                last = self.index(len(new) - 1, len(self.COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
                for row, (_d, subs) in enumerate(new):
                    parent = self.index(row, 0)
                    if subs:
                        self.dataChanged.emit(
                            self.index(0, 0, parent),
                            self.index(len(subs) - 1, len(self.COLUMNS) - 1, parent),
                        )
            return
        # The shape changed: a layout change keeps persistent indexes (selection) valid.
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        keys = [self._key_of(i) for i in old_persistent]
        self._groups = new
        new_indexes = [
            self._index_of_key(k, i.column()) for k, i in zip(keys, old_persistent, strict=True)
        ]
        self.changePersistentIndexList(old_persistent, new_indexes)
        self.layoutChanged.emit()

    def _key_of(self, index: Index) -> tuple[str, int | None]:
        if not index.isValid():
            return ("", None)
        if index.internalId() == _TOP:
            return (self._groups[index.row()][0], None)
        domain, subs = self._groups[index.internalId()]
        return (domain, subs[index.row()].id)

    def _index_of_key(self, key: tuple[str, int | None], column: int) -> QModelIndex:
        domain, sid = key
        for row, (d, subs) in enumerate(self._groups):
            if d != domain:
                continue
            if sid is None:
                return self.index(row, column)
            for srow, s in enumerate(subs):
                if s.id == sid:
                    return self.index(srow, column, self.index(row, 0))
        return QModelIndex()

    # -- lookups ---------------------------------------------------------------------------
    def index_of_subscriber(self, subscriber_id: int) -> QModelIndex:
        for row, (_d, subs) in enumerate(self._groups):
            for srow, s in enumerate(subs):
                if s.id == subscriber_id:
                    return self.index(srow, 0, self.index(row, 0))
        return QModelIndex()

    def subscriber_ids(self, index: Index) -> list[int]:
        ids = self.data(index, SUBSCRIBER_IDS_ROLE)
        return list(ids) if ids else []

    # -- QAbstractItemModel ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(self.COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._groups):
                return QModelIndex()
            return self.createIndex(row, column, _TOP)
        if parent.internalId() != _TOP or parent.column() != 0:
            return QModelIndex()
        prow = parent.row()
        if prow >= len(self._groups) or row >= len(self._groups[prow][1]):
            return QModelIndex()
        return self.createIndex(row, column, prow)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(int(index.internalId()), 0, _TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = index.column()
        if index.internalId() == _TOP:
            domain, subs = self._groups[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                if col == self.COL_MOBILE:
                    return show_invisible(domain, keep_breaks=False) if domain else NO_DOMAIN
                if col == self.COL_COUNT:
                    return str(sum(s.message_count for s in subs))
                return None
            if role == Qt.ItemDataRole.ToolTipRole:
                return tooltip_html(f"{domain or NO_DOMAIN}: {counted(len(subs), 'subscriber')}")
            if role == SUBSCRIBER_IDS_ROLE:
                return [s.id for s in subs]
            if role == ID_ROLE:
                return domain
            if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_COUNT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        s = self._groups[int(index.internalId())][1][index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == self.COL_MOBILE:
                return show_invisible(s.mobile, keep_breaks=False)
            if col == self.COL_DID:
                return show_invisible(s.did or "", keep_breaks=False)
            if col == self.COL_SUBR:
                return show_invisible(s.subr_id or "", keep_breaks=False)
            if col == self.COL_COUNT:
                return str(s.message_count)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_html(
                f"Mobile {s.mobile}\nDID {s.did or '—'}\nSubscriber ID {s.subr_id or '—'}\n"
                f"Domain {s.domain or '—'}\n{counted(s.message_count, 'message')}"
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return s
        if role == ID_ROLE:
            return s.id
        if role == SUBSCRIBER_IDS_ROLE:
            return [s.id]
        return None
