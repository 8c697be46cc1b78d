"""A delivery or read report imported before its status was stored gets it when the case is
upgraded (read again from the stored raw event); nothing else in the case changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from msgcopy_viewer.store import messages as M
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.schema import SCHEMA_VERSION
from tests.gui.mms_helpers import mm7, mms_event, text_part
from tests.unit.test_fidelity import READ_REPLY, _import

OLD_VERSION = 6  # the last case format whose reports may lack their status


def _as_imported_before(path: Path) -> None:
    """What an import before the status was stored wrote: no message_id, status, status_text
    in a report's mms JSON (a message's mms JSON is left as it is)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(
            "UPDATE messages SET mms = json_remove(mms, '$.message_id', '$.status', "
            "'$.status_text') WHERE json_extract(mms, '$.message_kind') = 'ReadReplyReq'"
        )
        conn.execute(f"PRAGMA user_version = {OLD_VERSION}")
    finally:
        conn.close()


def test_upgrade_reads_a_reports_status_again(tmp_path: Path) -> None:
    message, mtype = mm7([text_part("hello")])
    path = _import(
        tmp_path,
        [mms_event(message, mtype, seconds=1), mms_event(READ_REPLY, "text/xml", seconds=2)],
    )
    with Case.open(path) as case:
        expected = [(m.rowid, m.report_summary(), m.text) for m in M.iter_messages(case.conn)]
        untouched = case.conn.execute(
            "SELECT rowid, raw_event, mms FROM messages WHERE json_extract(mms, "
            "'$.message_kind') != 'ReadReplyReq' ORDER BY rowid"
        ).fetchall()
    assert expected[1][1] == "Read report: Read (Read by the user) · for message abc-123"

    _as_imported_before(path)
    with sqlite3.connect(path) as conn:
        degraded = conn.execute(
            "SELECT mms FROM messages WHERE json_extract(mms, '$.message_kind') = 'ReadReplyReq'"
        ).fetchone()[0]
    assert '"status"' not in degraded

    with Case.open(path) as case:  # upgrades, after a backup
        assert case.schema_version() == SCHEMA_VERSION
        got = [(m.rowid, m.report_summary(), m.text) for m in M.iter_messages(case.conn)]
        assert got == expected
        assert (
            case.conn.execute(
                "SELECT rowid, raw_event, mms FROM messages WHERE json_extract(mms, "
                "'$.message_kind') != 'ReadReplyReq' ORDER BY rowid"
            ).fetchall()
            == untouched
        )
    assert list(path.parent.glob(f"{path.name}.v{OLD_VERSION}-*.bak"))  # the backup
