"""Read queries shared by the exports, the CLI and the GUI models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from msgcopy_viewer.store.case import Case


@dataclass(slots=True)
class MessageRow:
    rowid: int
    id: str
    conversation_id: str
    direction: str
    type: str
    start_ms: int
    start_raw: str
    other_party: str
    sender: str | None
    content_type: str | None
    text: str
    subject: str | None
    has_attachments: bool
    warnings: list[str]
    mms: dict[str, Any] | None
    source_path: str
    source_root: str
    source_sha256: str | None
    source_index: int
    batch_id: int
    subscriber_mobile: str
    subscriber_key: str
    domain: str | None
    did: str | None
    subr_id: str | None
    participants: list[str]
    is_group: bool


MESSAGE_SELECT = """
SELECT m.rowid, m.id, m.conversation_id, m.direction, m.type, m.start_ms, m.start_raw,
       m.other_party, m.sender, m.content_type, m.text, m.subject, m.has_attachments,
       m.warnings, m.mms, s.path, s.root, s.sha256, m.source_index, m.batch_id,
       sub.mobile, sub.key, sub.domain, sub.did, sub.subr_id, c.participants, c.is_group
FROM messages m
JOIN source_files s ON s.id = m.source_file_id
JOIN subscribers sub ON sub.id = m.subscriber_id
JOIN conversations c ON c.id = m.conversation_id
"""


def _row(r: Any) -> MessageRow:
    return MessageRow(
        rowid=r[0],
        id=r[1],
        conversation_id=r[2],
        direction=r[3],
        type=r[4],
        start_ms=r[5],
        start_raw=r[6],
        other_party=r[7],
        sender=r[8],
        content_type=r[9],
        text=r[10],
        subject=r[11],
        has_attachments=bool(r[12]),
        warnings=json.loads(r[13] or "[]"),
        mms=json.loads(r[14]) if r[14] else None,
        source_path=r[15],
        source_root=r[16],
        source_sha256=r[17],
        source_index=r[18],
        batch_id=r[19],
        subscriber_mobile=r[20],
        subscriber_key=r[21],
        domain=r[22],
        did=r[23],
        subr_id=r[24],
        participants=json.loads(r[25]),
        is_group=bool(r[26]),
    )


def iter_messages(case: Case, conversation_id: str | None = None) -> Iterator[MessageRow]:
    """Every message in export order (start time, then id), optionally one conversation's."""
    if conversation_id is None:
        cur = case.conn.execute(MESSAGE_SELECT + " ORDER BY m.start_ms, m.id")
    else:
        cur = case.conn.execute(
            MESSAGE_SELECT + " WHERE m.conversation_id = ? ORDER BY m.start_ms, m.id",
            (conversation_id,),
        )
    for r in cur:
        yield _row(r)


def get_message(case: Case, message_id: str) -> MessageRow | None:
    r = case.conn.execute(MESSAGE_SELECT + " WHERE m.id = ?", (message_id,)).fetchone()
    return None if r is None else _row(r)


def get_message_by_rowid(case: Case, rowid: int) -> MessageRow | None:
    r = case.conn.execute(MESSAGE_SELECT + " WHERE m.rowid = ?", (rowid,)).fetchone()
    return None if r is None else _row(r)


def conversation_exists(case: Case, conversation_id: str) -> bool:
    row = case.conn.execute(
        "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return row is not None


def raw_event(case: Case, rowid: int) -> str | None:
    row = case.conn.execute("SELECT raw_event FROM messages WHERE rowid = ?", (rowid,)).fetchone()
    return None if row is None else str(row[0])


def occurrences(case: Case, rowid: int) -> list[tuple[str, str | None, int, int]]:
    """Every (path, sha256, index, batch) the message was seen in, first first."""
    rows = case.conn.execute(
        "SELECT s.path, s.sha256, o.source_index, s.batch_id FROM occurrences o "
        "JOIN source_files s ON s.id = o.source_file_id WHERE o.message_rowid = ? ORDER BY s.id",
        (rowid,),
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
