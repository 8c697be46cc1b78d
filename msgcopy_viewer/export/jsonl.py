"""JSON Lines export: one object per message (the contract is docs/export-format.md)."""

from __future__ import annotations

import json
from typing import IO, Any

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.parties import subscriber_region
from msgcopy_viewer.export.selection import select_messages
from msgcopy_viewer.store.annotations import NO_MARKS, Marks, marks_for
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Envelope, Message
from msgcopy_viewer.store.names import NameBook, load_names

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
    m: Message, marks: Marks = NO_MARKS, names: NameBook | None = None
) -> dict[str, Any]:
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "id": m.id,
        "source": {"path": m.source.path, "sha256": m.source.sha256, "index": m.source.index},
        "direction": m.direction,
        "type": m.type,
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
        "conversation": {"id": m.conversation_id, "participants": list(m.participants)},
        "mms": mms_export_object(m) if m.is_mms else None,
        "warnings": list(m.warnings),
        # what the examiner added (format 1 additions, docs/export-format.md)
        "tags": [t.name for t in marks.tags],
        "note": marks.note,
        "bookmarked": marks.bookmarked,
        "names": party_names(m, names) if names is not None else {},
    }


def write_jsonl(
    case: Case, out: IO[str], conversation_id: str | None = None, *, tagged: str | None = None
) -> int:
    """Every message (one conversation's; or exactly those tagged ``tagged``), each with its
    tags, note, bookmark and the names of its numbers."""
    n = 0
    names = load_names(case.conn)
    batch: list[Message] = []

    def flush() -> None:
        marks = marks_for(case.conn, [m.rowid for m in batch])
        for m in batch:
            out.write(
                json.dumps(
                    message_object(m, marks.get(m.rowid, NO_MARKS), names), ensure_ascii=False
                )
            )
            out.write("\n")
        batch.clear()

    for m in select_messages(case, conversation_id, tagged):
        batch.append(m)
        n += 1
        if len(batch) >= 500:
            flush()
    flush()
    return n
