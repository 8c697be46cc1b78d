"""JSON Lines export: one object per message (the contract is docs/export-format.md)."""

from __future__ import annotations

import json
from typing import IO, Any

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.queries import MessageRow, iter_messages

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
_CONTACT_FIELDS = ("part", "name", "phones", "emails", "has_photo")


def mms_export_object(mms: dict[str, Any]) -> dict[str, Any]:
    """The documented ``mms`` object from the stored form."""
    return {
        "subject": mms.get("subject"),
        "sender": mms.get("sender"),
        "recipients": mms.get("recipients") or {"to": [], "cc": [], "bcc": []},
        "transaction_id": mms.get("transaction_id"),
        "timestamp": mms.get("timestamp"),
        "slides": [
            {
                "duration_ms": s.get("duration_ms"),
                "items": [
                    {"kind": i.get("kind"), "part": i.get("part"), "region": i.get("region")}
                    for i in s.get("items", [])
                ],
            }
            for s in mms.get("slides", [])
        ],
        "parts": [{k: p.get(k) for k in _PART_FIELDS} for p in mms.get("parts", [])],
        "contacts": [{k: c.get(k) for k in _CONTACT_FIELDS} for c in mms.get("contacts", [])],
    }


def message_object(row: MessageRow) -> dict[str, Any]:
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "id": row.id,
        "source": {"path": row.source_path, "sha256": row.source_sha256, "index": row.source_index},
        "direction": row.direction,
        "type": row.type,
        "start_time": format_utc_ms(row.start_ms),
        "start_time_raw": row.start_raw,
        "subscriber": {
            "domain": row.domain,
            "mobile": row.subscriber_mobile,
            "did": row.did,
            "subr_id": row.subr_id,
        },
        "other_party": row.other_party,
        "content_type": row.content_type,
        "text": row.text,
        "conversation": {"id": row.conversation_id, "participants": row.participants},
        "mms": mms_export_object(row.mms) if row.mms is not None else None,
        "warnings": row.warnings,
    }


def write_jsonl(case: Case, out: IO[str], conversation_id: str | None = None) -> int:
    n = 0
    for row in iter_messages(case, conversation_id):
        out.write(json.dumps(message_object(row), ensure_ascii=False))
        out.write("\n")
        n += 1
    return n
