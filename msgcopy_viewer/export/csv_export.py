"""CSV export: the vendor script's five columns first, then ours (docs/export-format.md)."""

from __future__ import annotations

import csv
from typing import IO

from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.queries import iter_messages

VENDOR_COLUMNS = ("date", "direction", "extendmobile", "otherparty", "message")
EXTRA_COLUMNS = ("type", "conversation", "source_path", "source_sha256")
COLUMNS = VENDOR_COLUMNS + EXTRA_COLUMNS


def write_csv(case: Case, out: IO[str], conversation_id: str | None = None) -> int:
    """RFC 4180: CRLF line ends, fields quoted (as the vendor's jq ``@csv`` does), ``""``
    escapes. ``out`` must be opened with ``newline=""``."""
    out.write(",".join(COLUMNS) + "\r\n")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    n = 0
    for row in iter_messages(case, conversation_id):
        writer.writerow(
            (
                row.start_raw,
                row.direction,
                row.subscriber_mobile,
                row.other_party,
                row.text,
                row.type,
                row.conversation_id,
                row.source_path,
                row.source_sha256 or "",
            )
        )
        n += 1
    return n
