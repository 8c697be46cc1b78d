"""What the paged list models share: a list of row objects and time-zone repaints."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex

Index = QModelIndex | QPersistentModelIndex


class RowListModel(QAbstractListModel):
    """A flat model over ``self._rows``; times are shown in ``tz`` and repainted when the
    zone changes."""

    def __init__(self, tz: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._rows: list[Any] = []
        if tz is not None:
            tz.changed.connect(self._on_zone_changed)

    def _on_zone_changed(self, *_a: object) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def _row(self, index: Index) -> Any:
        """The row object at ``index``, or None for an invalid index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]
