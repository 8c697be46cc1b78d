"""Conversation list of the selected subscribers, newest activity first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu

from msgcopy_viewer.store.annotations import Tag
from msgcopy_viewer.ui.delegates.conversation_delegate import ConversationDelegate
from msgcopy_viewer.ui.models.conversation_model import ConversationModel


class ConversationView(QListView):
    conversationSelected = Signal(object)  # ConversationInfo | None
    exportRequested = Signal(object)  # ConversationInfo: "Export…" in its right-click menu
    # (conversation id, tag name): a tag ticked or unticked in the right-click menu
    tagToggled = Signal(str, str)

    def __init__(self, tz, parent=None) -> None:
        super().__init__(parent)
        self.conversation_model = ConversationModel(tz, self)
        self.setModel(self.conversation_model)
        self.delegate = ConversationDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setAccessibleName("Conversations")
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._current_id: str | None = None
        # the case's tags for the right-click menu (set by the workbench; None: no menu)
        self.tag_source: Callable[[], list[Tag]] | None = None
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu_at)
        self.selectionModel().currentChanged.connect(self._on_current)
        self.conversation_model.modelReset.connect(self._on_reset)

    def current_id(self) -> str | None:
        return self._current_id

    def set_scope(self, conn, subscriber_ids) -> None:
        # one subscriber chosen: the header says whose they are; else every row says it
        self.delegate.show_subscriber = subscriber_ids is None or len(subscriber_ids) != 1
        self.conversation_model.set_scope(conn, subscriber_ids)

    def refresh(self) -> None:
        self.conversation_model.refresh()

    def select_conversation(self, conversation_id: str) -> bool:
        row = self.conversation_model.row_of(conversation_id)
        if row < 0:
            return False
        index = self.conversation_model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(index)
        return True

    def _on_current(self, current, _previous) -> None:
        conv = self.conversation_model.conversation(current.row()) if current.isValid() else None
        cid = conv.id if conv is not None else None
        if cid != self._current_id:
            self._current_id = cid
            self.conversationSelected.emit(conv)

    def _on_reset(self) -> None:
        if self._current_id is not None:
            self._current_id = None
            self.conversationSelected.emit(None)

    # -- right-click menu ------------------------------------------------------------------
    def menu_for(self, row: int) -> QMenu | None:
        """Copy the participants, the subscriber or the conversation's ID."""
        conv = self.conversation_model.conversation(row) if row >= 0 else None
        if conv is None:
            return None
        menu = QMenu(self)
        for text, value in (
            ("Copy &Participants", ", ".join(conv.participants)),
            ("Copy &Subscriber", conv.subscriber_mobile),
            ("Copy Conversation &ID", conv.id),
        ):
            action = menu.addAction(text)
            action.setData(value)
            action.triggered.connect(self._copy_action_data)
        tags = self.tag_source() if self.tag_source is not None else []
        if tags:
            menu.addSeparator()
            sub = menu.addMenu("&Tags")
            has = {t.id for t in self.conversation_model.tags_of(conv)}
            for tag in tags:
                action = sub.addAction(tag.name.replace("&", "&&"))
                action.setCheckable(True)
                action.setChecked(tag.id in has)
                action.setData((conv.id, tag.name))
                action.triggered.connect(self._tag_action_data)
        menu.addSeparator()
        export = menu.addAction("&Export…")
        export.setData(conv)
        export.triggered.connect(self._export_action_data)
        return menu

    def _tag_action_data(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            cid, name = action.data()
            self.tagToggled.emit(cid, name)

    def _export_action_data(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.exportRequested.emit(action.data())

    def _copy_action_data(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            QGuiApplication.clipboard().setText(str(action.data()))

    def _menu_at(self, pos: QPoint) -> None:
        menu = self.menu_for(self.indexAt(pos).row())
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))
            menu.deleteLater()
