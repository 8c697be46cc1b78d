"""Evidence text in widgets: plain text only, invisible characters made visible.

Qt reads a QLabel's text, a tooltip and a message box's text as rich text when they
look like HTML (``<b>``, ``<img src=…>``: an image fetched while rendering), and a
menu or button title turns ``&`` into a shortcut. Every string from a file goes
through these helpers (the rules are in ``core.text_safety``; docs/security.md).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from msgcopy_viewer.core.text_safety import plain_tooltip, show_invisible

__all__ = ["menu_title", "plain_tooltip", "set_plain_text", "set_tooltip", "shown"]


def shown(text: str | None, *, multiline: bool = False) -> str:
    """``text`` with invisible, bidirectional and control characters as ``⟦U+202E⟧``
    tokens; ``multiline`` keeps line breaks and tabs."""
    return show_invisible(text or "", keep_breaks=multiline)


def set_plain_text(label: QLabel | QMessageBox, text: str, *, multiline: bool = True) -> None:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(shown(text, multiline=multiline))


def set_tooltip(widget: QWidget, text: str | None) -> None:
    widget.setToolTip(plain_tooltip(text or ""))


def menu_title(text: str) -> str:
    """A menu or button title that shows ``&`` instead of making a shortcut of it."""
    return shown(text).replace("&", "&&")
