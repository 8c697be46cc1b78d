"""The Tags panel (a dock): the case's tags with counts, and the messages and the
conversations of the chosen tag; "Manage Tags…" edits the list.

Activating a message opens it in its conversation (``messageRequested`` with its rowid);
activating a conversation opens it (``conversationRequested`` with its id).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.ui.models.tag_models import (
    TaggedConversationsModel,
    TaggedMessagesModel,
    TagListModel,
)
from msgcopy_viewer.ui.widgets.shown_text import ShownTextDelegate


class TagsPanel(QWidget):
    messageRequested = Signal(int)  # rowid
    conversationRequested = Signal(str)  # conversation id
    manageRequested = Signal()  # "Manage Tags…"

    def __init__(self, tz, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Tags")
        self._conn = None
        self.tag_model = TagListModel(self)
        self.message_model = TaggedMessagesModel(tz, self)
        self.tag_list = QListView(self)
        self.tag_list.setModel(self.tag_model)
        self.tag_list.setAccessibleName("Tags of the case")
        self.tag_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tag_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.messages = QListView(self)
        self.messages.setModel(self.message_model)
        self.messages.setAccessibleName("Tagged messages")
        self.messages.setUniformItemSizes(True)
        self.messages.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.messages.setItemDelegate(ShownTextDelegate(self.messages))  # evidence text
        self.conversation_model = TaggedConversationsModel(tz, self)
        self.conversations = QListView(self)
        self.conversations.setModel(self.conversation_model)
        self.conversations.setAccessibleName("Tagged conversations")
        self.conversations.setUniformItemSizes(True)
        self.conversations.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conversations.setItemDelegate(ShownTextDelegate(self.conversations))
        self.manage_button = QPushButton("&Manage Tags…", self)
        self.manage_button.clicked.connect(self.manageRequested)
        self.hint = QLabel(
            "Select messages and press Ctrl+1 … Ctrl+9 to tag them; tag a conversation from "
            "its right-click menu.",
            self,
        )
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.tag_list)
        split.addWidget(self.messages)
        split.addWidget(self.conversations)
        split.setSizes([120, 300, 100])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.manage_button)
        lay.addWidget(split, 1)
        lay.addWidget(self.hint)
        self.tag_list.selectionModel().currentChanged.connect(self._on_tag)
        self.messages.activated.connect(self._on_message)
        self.messages.clicked.connect(self._on_message)
        self.conversations.activated.connect(self._on_conversation)
        self.conversations.clicked.connect(self._on_conversation)

    def set_connection(self, conn) -> None:
        self._conn = conn
        self.reload()

    def reload(self) -> None:
        """Counts and the chosen tag's messages read again (after a change)."""
        current = self.tag_model.tag_at(self.tag_list.currentIndex().row())
        self.tag_model.reload(self._conn)
        row = self.tag_model.row_of(current.name) if current is not None else -1
        if row < 0 and self.tag_model.rowCount() and current is None:
            row = 0
        if row >= 0:
            self.tag_list.setCurrentIndex(self.tag_model.index(row, 0))
            # the current row may be "the same" index: read its messages in any case
            self._on_tag(self.tag_model.index(row, 0), QModelIndex())
        else:
            self.message_model.set_tag(self._conn, None)
            self.conversation_model.set_tag(self._conn, None)

    def select_tag(self, name: str) -> bool:
        row = self.tag_model.row_of(name)
        if row >= 0:
            self.tag_list.setCurrentIndex(self.tag_model.index(row, 0))
        return row >= 0

    def _on_tag(self, current: QModelIndex, _prev: QModelIndex) -> None:
        tag = self.tag_model.tag_at(current.row()) if current.isValid() else None
        self.message_model.set_tag(self._conn, tag)
        if self.message_model.canFetchMore():
            self.message_model.fetchMore()
        self.conversation_model.set_tag(self._conn, tag)

    def _on_message(self, index: QModelIndex) -> None:
        m = self.message_model.item(index.row())
        if m is not None:
            self.messageRequested.emit(m.rowid)

    def _on_conversation(self, index: QModelIndex) -> None:
        c = self.conversation_model.item(index.row())
        if c is not None:
            self.conversationRequested.emit(c.id)
