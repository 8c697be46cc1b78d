"""The case's names for numbers as the views show them: always with the number.

One ``NameLabels`` per browser holds the case's ``NameBook`` in memory (an address book
is small) and says when it changed; models and delegates ask it for labels — a dictionary
lookup, never a query.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from msgcopy_viewer.core.parties import subscriber_region
from msgcopy_viewer.store.names import NameBook, NameEntry, load_names


class NameLabels(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book = NameBook()

    def reload(self, conn) -> None:
        """Read the case's names again (None: no case)."""
        self.book = load_names(conn) if conn is not None else NameBook()
        self.changed.emit()

    def lookup(self, number: str | None, subscriber: str | None = None) -> NameEntry | None:
        region = subscriber_region(subscriber) if subscriber else None
        return self.book.lookup(number, region)

    def label(self, number: str | None, subscriber: str | None = None) -> str:
        """``Name (number)`` or the number alone; ``subscriber`` (their number) gives the
        region national numbers are read in."""
        region = subscriber_region(subscriber) if subscriber else None
        return self.book.label(number, region)

    def title(self, participants: Sequence[str], subscriber: str | None = None) -> str:
        if not participants:
            return "(no participants)"
        return ", ".join(self.label(p, subscriber) for p in participants)
