"""JSON Lines export: one object per message (the contract is docs/export-format.md)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import IO, Any

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.parties import subscriber_region
from msgcopy_viewer.store.annotations import NO_MARKS, Marks, Tag, conversation_tags_for, marks_for
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Envelope, Message, iter_messages
from msgcopy_viewer.store.names import NameBook, read_names

EXPORT_FORMAT_VERSION = 1

_PART_FIELDS = (
    "index",
    "content_type",
    "detected_type",
    "name",
    "content_id",
    "content_location",
    "size",
    "sha256",
    "in_smil",
)


def mms_export_object(m: Message) -> dict[str, Any]:
    """The documented ``mms`` object of an MMS."""
    env = m.envelope or Envelope()
    return {
        "subject": env.subject,
        "sender": env.sender,
        "recipients": {"to": list(env.to), "cc": list(env.cc), "bcc": list(env.bcc)},
        "transaction_id": env.transaction_id,
        "timestamp": env.timestamp,
        "message_kind": env.message_kind,
        "report": (
            {"message_id": env.message_id, "status": env.status, "status_text": env.status_text}
            if m.is_report
            else None
        ),
        "slides": [
            {
                "duration_ms": s.get("duration_ms"),
                "items": [
                    {"kind": i.get("kind"), "part": i.get("part"), "region": i.get("region")}
                    for i in s.get("items", [])
                ],
            }
            for s in env.slides
        ],
        "parts": [{k: getattr(p, k) for k in _PART_FIELDS} for p in m.parts],
        "contacts": [
            {
                "part": c.part,
                "name": c.name,
                "phones": list(c.phones),
                "emails": list(c.emails),
                "has_photo": c.has_photo,
            }
            for c in env.contacts
        ],
    }


def party_names(m: Message, names: NameBook) -> dict[str, str]:
    """The names the case's address book gives the numbers of this message (other party,
    sender, participants), keyed by the number as the message shows it."""
    if not len(names):
        return {}
    region = subscriber_region(m.subscriber_key)
    out: dict[str, str] = {}
    for number in (m.other_party, m.sender, *m.participants):
        if number and number not in out:
            name = names.name(number, region)
            if name is not None:
                out[number] = name
    return out


def message_object(
    m: Message,
    marks: Marks | None = None,
    names: NameBook | None = None,
    conversation_tags: Sequence[Tag] = (),
) -> dict[str, Any]:
    """The documented object of one message; with ``marks``/``names`` (an export that reads
    the case's annotations) also its tags, note, bookmark, the names of its numbers and the
    tags of its conversation (``conversation_tags``)."""
    conversation: dict[str, Any] = {"id": m.conversation_id, "participants": list(m.participants)}
    obj = {
        "format_version": EXPORT_FORMAT_VERSION,
        "id": m.id,
        "source": {"path": m.source.path, "sha256": m.source.sha256, "index": m.source.index},
        "direction": m.direction,
        "type": m.type,
        # message | delivery_report | read_report | other (an MMS event's MM7 document)
        "kind": m.kind,
        "start_time": format_utc_ms(m.start_ms),
        "start_time_raw": m.start_raw,
        # this event's subscriberParty as received, never another event's
        "subscriber": {
            "domain": m.sub_domain,
            "mobile": m.sub_mobile,
            "did": m.sub_did,
            "subr_id": m.sub_subr_id,
        },
        "other_party": m.other_party,
        "content_type": m.content_type,
        "text": m.text,
        "conversation": conversation,
        "mms": mms_export_object(m) if m.is_mms else None,
        "warnings": list(m.warnings),
    }
    if marks is not None:
        conversation["tags"] = [t.name for t in conversation_tags]
        obj["tags"] = [t.name for t in marks.tags]
        obj["note"] = marks.note
        obj["bookmarked"] = marks.bookmarked
        obj["names"] = party_names(m, names) if names is not None else {}
    return obj


def write_jsonl(case: Case, out: IO[str], conversation_id: str | None = None) -> int:
    return write_jsonl_messages(iter_messages(case.conn, conversation_id), out, case.conn)


def write_jsonl_messages(
    messages: Iterable[Message], out: IO[str], conn: sqlite3.Connection | None = None
) -> int:
    """One line per message. With ``conn``, each line also carries the message's
    annotations and names, read 500 messages at a time (left out of redacted exports)."""
    names = read_names(conn) if conn is not None else None
    batch: list[Message] = []
    n = 0

    def flush() -> None:
        marks = marks_for(conn, [m.rowid for m in batch]) if conn is not None else {}
        conv_tags = (
            conversation_tags_for(conn, [m.conversation_id for m in batch])
            if conn is not None
            else {}
        )
        for m in batch:
            mark = marks.get(m.rowid, NO_MARKS) if conn is not None else None
            obj = message_object(m, mark, names, conv_tags.get(m.conversation_id, ()))
            out.write(json.dumps(obj, ensure_ascii=False))
            out.write("\n")
        batch.clear()

    for m in messages:
        batch.append(m)
        n += 1
        if len(batch) >= 500:
            flush()
    flush()
    return n
