"""CSV export: the vendor script's five columns first, then ours (docs/export-format.md)."""

from __future__ import annotations

import csv
from typing import IO

from msgcopy_viewer.export.selection import select_messages
from msgcopy_viewer.store.case import Case

VENDOR_COLUMNS = ("date", "direction", "extendmobile", "otherparty", "message")
EXTRA_COLUMNS = ("type", "conversation", "source_path", "source_sha256")
COLUMNS = VENDOR_COLUMNS + EXTRA_COLUMNS


def write_csv(
    case: Case, out: IO[str], conversation_id: str | None = None, *, tagged: str | None = None
) -> int:
    """RFC 4180: CRLF line ends, fields quoted (as the vendor's jq ``@csv`` does), ``""``
    escapes. ``out`` must be opened with ``newline=""``."""
    out.write(",".join(COLUMNS) + "\r\n")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    n = 0
    for m in select_messages(case, conversation_id, tagged):
        writer.writerow(
            (
                m.start_raw,
                m.direction,
                m.sub_mobile or "",  # the event's subscriberParty.mobile, as the vendor's jq
                m.other_party,
                m.text,
                m.type,
                m.conversation_id,
                m.source.path,
                m.source.sha256 or "",
            )
        )
        n += 1
    return n
