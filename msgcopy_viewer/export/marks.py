"""The examiner's workbench as every report shows it: tags, note, bookmark and names.

``ReportMarks`` reads what the examiner added to the case (``store.annotations``) and the
case's address book (``store.names``) for the messages a report writes, so the HTML and
PDF transcripts, the tagged-items report, CSV and XLSX agree. A name is always shown
*with* its number (``Name (number)``), never instead of it.

Redaction follows the JSON Lines rule (``export.reports._writer``): a redacted report
carries no annotations and no names — a note is free text, and names are keyed by full
numbers. ``ReportMarks.off`` is that empty reader.

Only messages that carry something are looked up: the rowids of annotated messages are
read once (a small set next to the case), then each annotated message's marks with three
indexed lookups.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from msgcopy_viewer.core.parties import subscriber_region
from msgcopy_viewer.export.jsonl import party_names
from msgcopy_viewer.export.redact import Redactor
from msgcopy_viewer.store.annotations import NO_MARKS, Marks, Tag, conversation_tags, marks_for
from msgcopy_viewer.store.messages import Message
from msgcopy_viewer.store.names import NameBook, read_names, subscriber_region_of

# Spreadsheet cells hold lists one item a line: tag and address-book names cannot hold a
# line break (both are cleaned of control characters when stored), so a line is an item.
CELL_SEPARATOR = "\n"


@dataclass(frozen=True, slots=True)
class MessageMarks:
    """What the examiner added to one message, as a report writes it."""

    tags: tuple[Tag, ...] = ()
    note: str | None = None
    bookmarked: bool = False
    names: tuple[tuple[str, str], ...] = ()  # (number as the message shows it, name)

    @property
    def empty(self) -> bool:
        return not self.tags and self.note is None and not self.bookmarked

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]

    def named(self) -> list[str]:
        """``Name (number)`` for each number of the message that has a name."""
        return [f"{name} ({number})" for number, name in self.names]


NOTHING = MessageMarks()


class ReportMarks:
    """The workbench of one case for one report (empty when the report is redacted)."""

    def __init__(self, conn: sqlite3.Connection | None, redactor: Redactor | None = None) -> None:
        self.enabled = conn is not None and not (redactor is not None and redactor.active)
        self._conn = conn if self.enabled else None
        self.names: NameBook = NameBook()
        self._annotated: set[int] = set()
        if self._conn is not None:
            self.names = read_names(self._conn)
            self._annotated = annotated_rowids(self._conn)

    @classmethod
    def off(cls) -> ReportMarks:
        return cls(None)

    def marks(self, m: Message) -> Marks:
        if self._conn is None or m.rowid not in self._annotated:
            return NO_MARKS
        return marks_for(self._conn, [m.rowid]).get(m.rowid, NO_MARKS)

    def of(self, m: Message) -> MessageMarks:
        """Tags, note, bookmark and names of ``m`` (the stored message: names are looked
        up by its full numbers)."""
        if not self.enabled:
            return NOTHING
        mk = self.marks(m)
        names = tuple(party_names(m, self.names).items())
        if mk.empty and not names:
            return NOTHING
        return MessageMarks(mk.tags, mk.note, mk.bookmarked, names)

    def conversation_tags(self, conversation_id: str) -> list[str]:
        """Names of the examiner's tags on a conversation (none when redacted)."""
        if self._conn is None:
            return []
        return [t.name for t in conversation_tags(self._conn, conversation_id)]

    def label(self, number: str, m: Message) -> str:
        """``Name (number)`` when the address book names ``number``, else the number."""
        if not self.enabled or not number:
            return number
        return self.names.label(number, subscriber_region(m.subscriber_key))

    def label_for(self, number: str, subscriber_mobile: str) -> str:
        """``label`` for a number of a subscriber's conversation (titles, parties)."""
        if not self.enabled or not number:
            return number
        return self.names.label(number, subscriber_region_of(subscriber_mobile))


def annotated_rowids(conn: sqlite3.Connection) -> set[int]:
    """Rowids of the messages that carry a tag, a note or a bookmark."""
    rows = conn.execute(
        "SELECT message_rowid FROM message_tags UNION "
        "SELECT CAST(target_id AS INTEGER) FROM notes WHERE target = 'message' UNION "
        "SELECT message_rowid FROM bookmarks"
    )
    return {int(r[0]) for r in rows}
