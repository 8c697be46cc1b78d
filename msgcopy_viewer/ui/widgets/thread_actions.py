"""What a user does with messages in the thread besides reading them: a right-click menu
on a bubble, several messages selected at once (Ctrl/Shift), and copying them as a
timestamped transcript (Ctrl+C) in the chosen time zone.

The selection is kept by rowid, as ``ThreadView`` keeps the current message: rows that
pages drop and read again are selected again, and a transcript includes selected
messages whose rows are not loaded at the moment. The current message (the inspector's)
is still the one the user clicked or moved to last.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu

from msgcopy_viewer.export.transcript import transcript
from msgcopy_viewer.store.messages import Message, get_message
from msgcopy_viewer.ui.models.roles import ROW_ROLE, item_data

_SELECTING_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class ThreadActions(QObject):
    inspectRequested = Signal()  # "Show in Inspector": the inspector should take the focus
    exportRequested = Signal(object)  # "Export…": the messages it was asked for (list[Message])

    def __init__(self, view) -> None:  # a ThreadView
        super().__init__(view)
        self.view = view
        self.list = view.list
        self.rowids: set[int] = set()  # every selected message, loaded or not
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu_at)
        self.list.selectionModel().selectionChanged.connect(self._on_selection)
        # after ThreadView._after_paging (connected first), which restores the current one
        self.list.paged.connect(self._after_paging)
        self.view.thread_model.modelReset.connect(self._on_reset)
        self.list.installEventFilter(self)
        self.list.viewport().installEventFilter(self)

    # -- selection kept by rowid -----------------------------------------------------------
    def _loaded_rowids(self) -> set[int]:
        model = self.view.thread_model
        return {m.rowid for m in (model.item(r) for r in range(model.rowCount())) if m}

    def _on_selection(self, *_args: object) -> None:
        if self.list.paging or self.view._restoring:
            return
        model = self.view.thread_model
        now = set()
        for index in self.list.selectionModel().selectedRows():
            item = model.item(index.row())
            if item is not None:
                now.add(item.rowid)
        # selected rows that are not loaded stay selected; loaded ones are as shown
        self.rowids = {r for r in self.rowids if r not in self._loaded_rowids()} | now

    def _after_paging(self) -> None:
        model = self.view.thread_model
        rows = [model.row_of(r) for r in self.rowids]
        wanted = QItemSelection()
        for row in rows:
            if row >= 0:
                index = model.index(row, 0)
                wanted.select(index, index)
        if wanted.isEmpty():
            return
        self.view._restoring = True
        self.list.setAutoScroll(False)
        try:
            self.list.selectionModel().select(wanted, QItemSelectionModel.SelectionFlag.Select)
        finally:
            self.list.setAutoScroll(True)
            self.view._restoring = False

    def _on_reset(self) -> None:
        current = self.view._selected_rowid
        self.rowids = {current} if current is not None else set()

    def selected_messages(self) -> list[Message]:
        """The selected messages in thread order (read from the case where not loaded)."""
        model = self.view.thread_model
        out: list[Message] = []
        for rowid in self.rowids:
            row = model.row_of(rowid)
            item = model.item(row) if row >= 0 else None
            if item is None and self.view._conn is not None:
                item = get_message(self.view._conn, rowid)
            if item is not None:
                out.append(item)
        return sorted(out, key=lambda m: m.key)

    # -- copying ---------------------------------------------------------------------------
    def transcript_text(self, messages: list[Message] | None = None) -> str:
        chosen = self.selected_messages() if messages is None else messages
        return transcript(chosen, self.view._tz.to_datetime)

    def copy_transcript(self, messages: list[Message] | None = None) -> None:
        text = self.transcript_text(messages)
        if text:
            QGuiApplication.clipboard().setText(text)

    # -- the menu --------------------------------------------------------------------------
    def menu_for(self, index: QModelIndex) -> QMenu | None:
        """The right-click menu of the bubble at ``index`` (None off the bubbles)."""
        m: Message | None = item_data(index, ROW_ROLE) if index.isValid() else None
        if m is None:
            return None
        menu = QMenu(self.list)
        selected = self.selected_messages()
        targets = selected if any(s.rowid == m.rowid for s in selected) else [m]
        copy_text = menu.addAction("Copy &Text")
        copy_text.setEnabled(bool(m.text))
        copy_text.triggered.connect(lambda: QGuiApplication.clipboard().setText(m.text))
        label = (
            "Copy as Transcript &Line"
            if len(targets) == 1
            else f"Copy {len(targets)} Messages as Transcript"
        )
        as_line = menu.addAction(label)
        as_line.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        as_line.triggered.connect(lambda: self.copy_transcript(targets))
        copy_id = menu.addAction("Copy Message &ID")
        copy_id.triggered.connect(lambda: QGuiApplication.clipboard().setText(m.id))
        menu.addSeparator()
        open_mms = menu.addAction("&Open MMS…")
        open_mms.setEnabled(m.is_mms)
        open_mms.triggered.connect(lambda: self.view.messageActivated.emit(m))
        inspect = menu.addAction("Show in &Inspector")
        inspect.triggered.connect(lambda: self.show_in_inspector(index))
        menu.addSeparator()
        export = menu.addAction("&Export…")
        export.triggered.connect(lambda: self.exportRequested.emit(targets))
        return menu

    def show_in_inspector(self, index: QModelIndex) -> None:
        selection = self.list.selectionModel()
        flag = (
            QItemSelectionModel.SelectionFlag.NoUpdate
            if selection.isSelected(index)
            else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        selection.setCurrentIndex(index, flag)
        self.inspectRequested.emit()

    def _menu_at(self, pos: QPoint) -> None:
        menu = self.menu_for(self.list.indexAt(pos))
        if menu is not None:
            menu.exec(self.list.viewport().mapToGlobal(pos))
            menu.deleteLater()

    # -- keys and clicks -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Copy):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the thread's Ctrl+C, whatever else uses the keys
                return True
            if kind == QEvent.Type.KeyPress:
                self.copy_transcript()
                return True
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress):
            modifiers = event.modifiers()  # type: ignore[attr-defined]
            if not modifiers & _SELECTING_MODIFIERS:
                # a plain click or key selects one message: the ones out of view go too
                loaded = self._loaded_rowids()
                self.rowids = {r for r in self.rowids if r in loaded}
        return False
