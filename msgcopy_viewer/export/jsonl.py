"""JSON Lines export: one object per message (the contract is docs/export-format.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Envelope, Message, iter_messages

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


def message_object(m: Message) -> dict[str, Any]:
    return {
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
        "conversation": {"id": m.conversation_id, "participants": list(m.participants)},
        "mms": mms_export_object(m) if m.is_mms else None,
        "warnings": list(m.warnings),
    }


def write_jsonl(case: Case, out: IO[str], conversation_id: str | None = None) -> int:
    return write_jsonl_messages(iter_messages(case.conn, conversation_id), out)


def write_jsonl_messages(messages: Iterable[Message], out: IO[str]) -> int:
    n = 0
    for m in messages:
        out.write(json.dumps(message_object(m), ensure_ascii=False))
        out.write("\n")
        n += 1
    return n
