"""Delivery and read reports imported before their status was stored get it from the raw event.

The importer has always stored an MMS's MM7 request kind (``message_kind``), so a delivery
or read report is recognised in any case. What became of the message it reports on
(``status``, ``status_text``) and which message that was (``message_id``) were added to the
stored ``mms`` JSON later: in a case imported before, a report's line reads just
"Delivery report". This step reads those three fields again from the stored raw event with
the importer's own core functions — the values a new import of the same file stores — for the
reports that lack them, and changes nothing else. Only reports are read again (a few rows
in any case), not every MMS.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from msgcopy_viewer.core.events import parse_event
from msgcopy_viewer.core.soap import REPORT_KINDS

log = logging.getLogger(__name__)

FIELDS = ("message_id", "status", "status_text")


def refill_report_fields(conn: sqlite3.Connection) -> int:
    """Fill the report fields of stored delivery and read reports that lack them; returns how
    many messages changed. Runs inside the migration's transaction."""
    from msgcopy_viewer.core.mms import MmsError, decode_mms  # the MIME/XML stack loads slowly

    kinds = sorted(REPORT_KINDS)
    marks = ", ".join("?" * len(kinds))
    rows = conn.execute(
        "SELECT rowid, raw_event, source_index, mms FROM messages "
        "WHERE type = 'mms' AND mms IS NOT NULL AND json_valid(mms) "
        f"AND json_extract(mms, '$.message_kind') IN ({marks}) "
        "AND json_type(mms, '$.status') IS NULL",
        kinds,
    ).fetchall()
    changed = 0
    for rowid, raw_event, index, mms_text in rows:
        try:  # as the importer reads it (ingest.analyze: parse_event, then decode_mms)
            event = parse_event(json.loads(raw_event), index, raw_event)
            env = decode_mms(event.message).envelope
        except (MmsError, ValueError):  # DocumentError is a ValueError
            log.warning("message event %d could not be read again; its report fields stay", index)
            continue
        fresh = {"message_id": env.message_id, "status": env.status, "status_text": env.status_text}
        mms = json.loads(mms_text)
        if all(mms.get(k) == fresh[k] for k in FIELDS):
            continue
        mms.update(fresh)
        conn.execute(
            "UPDATE messages SET mms = ? WHERE rowid = ?",
            (json.dumps(mms, ensure_ascii=False, separators=(",", ":")), rowid),
        )
        changed += 1
    if changed:
        log.info("delivery and read reports: status read again for %d messages", changed)
    return changed
