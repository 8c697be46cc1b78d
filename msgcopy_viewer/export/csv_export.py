"""CSV export: the vendor script's five columns first, then ours (docs/export-format.md).

Columns are only ever added at the end. ``kind`` is in every export; the examiner's
``tags``, ``examiner_note``, ``bookmarked`` and ``names`` follow in an export that reads
the case's annotations, and are left out of a redacted one (as JSON Lines leaves them out).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable
from typing import IO

from msgcopy_viewer.export.marks import CELL_SEPARATOR, MessageMarks, ReportMarks
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Message, iter_messages

VENDOR_COLUMNS = ("date", "direction", "extendmobile", "otherparty", "message")
EXTRA_COLUMNS = ("type", "conversation", "source_path", "source_sha256", "kind")
COLUMNS = VENDOR_COLUMNS + EXTRA_COLUMNS
WORKBENCH_COLUMNS = ("tags", "examiner_note", "bookmarked", "names")


def columns(with_marks: bool) -> tuple[str, ...]:
    return COLUMNS + WORKBENCH_COLUMNS if with_marks else COLUMNS


def message_values(m: Message) -> tuple[str, ...]:
    """The ``COLUMNS`` of one message, in order."""
    return (
        m.start_raw,
        m.direction,
        m.sub_mobile or "",  # the event's subscriberParty.mobile, as the vendor's jq
        m.other_party,
        m.text,
        m.type,
        m.conversation_id,
        m.source.path,
        m.source.sha256 or "",
        m.kind,
    )


def marks_values(mk: MessageMarks) -> tuple[str, str, str, str]:
    """The ``WORKBENCH_COLUMNS``: tags and names one a line, names as ``Name (number)``."""
    return (
        CELL_SEPARATOR.join(mk.tag_names),
        mk.note or "",
        "yes" if mk.bookmarked else "no",
        CELL_SEPARATOR.join(mk.named()),
    )


def write_csv(case: Case, out: IO[str], conversation_id: str | None = None) -> int:
    """RFC 4180: CRLF line ends, fields quoted (as the vendor's jq ``@csv`` does), ``""``
    escapes. ``out`` must be opened with ``newline=""``."""
    return write_csv_messages(iter_messages(case.conn, conversation_id), out, case.conn)


def write_csv_messages(
    messages: Iterable[Message], out: IO[str], conn: sqlite3.Connection | None = None
) -> int:
    """With ``conn`` (an export that is not redacted), the examiner's columns too."""
    marks = ReportMarks(conn) if conn is not None else None
    out.write(",".join(columns(marks is not None)) + "\r\n")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    n = 0
    for m in messages:
        values = message_values(m)
        if marks is not None:
            values += marks_values(marks.of(m))
        writer.writerow(values)
        n += 1
    return n
