"""A list's item text as the app shows evidence text: invisible, bidirectional and control
characters as tokens (``⟦U+202E⟧``), so that a message or a sender's name in the Tags panel
or the media gallery cannot reverse or hide what is displayed."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from msgcopy_viewer.ui.plain_text import shown


class ShownTextDelegate(QStyledItemDelegate):
    """The default delegate, with the display text passed through ``plain_text.shown``
    (line breaks kept)."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if option.text:
            option.text = shown(option.text, multiline=True)
