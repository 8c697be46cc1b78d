"""Item-data role constants shared by the browse models, views and delegates."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from msgcopy_viewer.core.text_safety import show_invisible

_BASE = int(Qt.ItemDataRole.UserRole)

ROW_ROLE = _BASE + 1  # the row object (SubscriberInfo, ConversationInfo, Message, SearchHit)
ID_ROLE = _BASE + 2  # the row's stable id (subscriber id, conversation id, message rowid)
SUBSCRIBER_IDS_ROLE = _BASE + 3  # subscriber tree: ids under the node
HIGHLIGHT_ROLE = _BASE + 4  # thread: the jumped-to message
SNIPPET_ROLE = _BASE + 5  # search results: snippet with MARK_START/MARK_END
TIME_TEXT_ROLE = _BASE + 6  # formatted time in the selected zone
SEPARATOR_ROLE = _BASE + 7  # thread: the message starts a calendar day (date separator above)
# thread: (Message, starts a day) in one call — the delegate asks it for every row's size
# after each page load, and one call through the Python model costs as much as the answer
BUBBLE_ROLE = _BASE + 8
MARKS_ROLE = _BASE + 9  # thread: the message's tags, note and bookmark (store Marks) or None
SENDER_LABEL_ROLE = _BASE + 10  # thread: who sent it, with its name when the case has one
CONVERSATION_TAGS_ROLE = _BASE + 20  # conversation list: the conversation's tags (Tag, …)


def item_data(index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
    """``index.data(role)`` through the Python model.

    Goes around ``QModelIndex.data``, which with PySide6 6.12 on CPython 3.11 drops a
    reference to ``None`` whenever the answer is None (tests/gui/test_qt_binding.py).
    """
    model = index.model()
    if model is None or not index.isValid():
        return None
    return model.data(index, role)


def tooltip_html(text: str) -> str:
    """Plain text as a tooltip: escaped (Qt reads tooltips as rich text when they look like
    it, and message data is untrusted), invisible and bidirectional characters as tokens,
    line breaks kept."""
    return f"<p style='white-space:pre'>{html.escape(show_invisible(text))}</p>"
