"""Subscriber tree (domain ▸ subscriber); selecting nodes chooses whose conversations show."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView

from msgcopy_viewer.ui.models.subscriber_model import SubscriberModel


class SubscriberView(QTreeView):
    scopeChanged = Signal(object)  # list[int] | None (None: all subscribers)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.subscriber_model = SubscriberModel(self)
        self.setModel(self.subscriber_model)
        self.setAccessibleName("Subscribers")
        self.setToolTip("Subscribers by domain; select one or more (Ctrl/Shift) or a domain")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)
        header = self.header()
        header.setStretchLastSection(False)
        # Columns are fitted to their contents once per (re)load, not in ResizeToContents
        # mode: that mode asks the model for every cell's size hint on every layout pass
        # (thousands of Python data() calls while a case opens).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The pane is narrow: the subscriber column takes the room left by the count, and
        # DID and Subscriber ID (in every row's tooltip too) are shown from the header's
        # context menu. Nothing scrolls sideways.
        header.setSectionResizeMode(SubscriberModel.COL_MOBILE, QHeaderView.ResizeMode.Stretch)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for col in (SubscriberModel.COL_DID, SubscriberModel.COL_SUBR):
            self.setColumnHidden(col, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.selectionModel().selectionChanged.connect(self._on_selection)
        self._scope: list[int] | None = None

    def set_connection(self, conn) -> None:
        self.subscriber_model.set_connection(conn)
        self.expandAll()
        self._fit_columns()
        self._scope = None

    def refresh(self, conn) -> None:
        self.subscriber_model.refresh(conn)
        self.expandAll()
        self._fit_columns()

    def _fit_columns(self) -> None:
        for col in range(self.subscriber_model.columnCount()):
            if col != SubscriberModel.COL_MOBILE:
                self.resizeColumnToContents(col)

    def column_menu(self) -> QMenu:
        """Show or hide the DID and Subscriber ID columns."""
        menu = QMenu(self)
        model = self.subscriber_model
        for col in (model.COL_DID, model.COL_SUBR):
            action = menu.addAction(f"Show {model.COLUMNS[col]} column")
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(col))
            action.setData(col)
            action.toggled.connect(self._toggle_column)
        return menu

    def _toggle_column(self, shown: bool) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            col = int(action.data())
            self.setColumnHidden(col, not shown)
            if shown:
                self.resizeColumnToContents(col)

    def _header_menu(self, pos: QPoint) -> None:
        self.column_menu().exec(self.header().mapToGlobal(pos))

    def scope(self) -> list[int] | None:
        return self._scope

    def select_subscriber(self, subscriber_id: int) -> None:
        """Make sure ``subscriber_id`` is in the scope (keeps a wider selection that has it)."""
        if self._scope is None or subscriber_id in self._scope:
            return
        index = self.subscriber_model.index_of_subscriber(subscriber_id)
        if index.isValid():
            self.setCurrentIndex(index)

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        ids: list[int] = []
        for index in self.selectionModel().selectedRows(0):
            for sid in self.subscriber_model.subscriber_ids(index):
                if sid not in ids:
                    ids.append(sid)
        scope = ids or None
        if scope != self._scope:
            self._scope = scope
            self.scopeChanged.emit(scope)
