"""Case format 7: alphanumeric senders shown as received in cases imported before that rule.

Until the threading rule said that an alphanumeric sender is shown exactly as received, the
importer stored the form it compares (MM7 decorations stripped): a sender ``<i>BANK</i>``
was written as ``i>BANK</i`` in the conversation's participants, and in an MMS's sender and
recipients. Threading keys were always right (they are compared, not shown), so only the
labels are recomputed here, from the stored raw events, with the importer's own rules
(``core.conversations``: ``message_sender``, ``shown_addresses``, ``participants_for``): the
same labels a new import of the same files writes. Nothing else in a row changes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from msgcopy_viewer.core.conversations import (
    conversation_key,
    message_sender,
    participants_for,
    shown_addresses,
)
from msgcopy_viewer.core.events import parse_event
from msgcopy_viewer.core.parties import (
    KIND_ALPHA,
    normalize_party,
    normalize_subscriber,
    subscriber_region,
)

log = logging.getLogger(__name__)


class _Labels:
    """The labels the importer gives one event (``ingest.analyze``'s rules, which the
    store may not import): its conversation, sender, participants and, for a decoded MMS,
    the sender and recipients of its ``mms`` JSON."""

    def __init__(self, raw_event: str, index: int) -> None:
        event = parse_event(json.loads(raw_event), index, raw_event)
        subscriber = normalize_subscriber(event.mobile)
        region = subscriber_region(event.mobile)
        other = normalize_party(event.other_party, region)
        addresses: list[str] = []
        envelope_sender: str | None = None
        self.mms: dict[str, Any] | None = None
        if event.message_type != "sms":
            from msgcopy_viewer.core.mms import MmsError, decode_mms

            try:
                decoded = decode_mms(event.message)
            except MmsError:
                decoded = None
            if decoded is not None:
                env = decoded.envelope
                envelope_sender = env.sender
                if env.sender:
                    addresses.append(env.sender)
                addresses.extend(env.to + env.cc + env.bcc)
                self.mms = {
                    "sender": normalize_party(env.sender, region).display if env.sender else None,
                    "recipients": {
                        "to": shown_addresses(env.to, region),
                        "cc": shown_addresses(env.cc, region),
                        "bcc": shown_addresses(env.bcc, region),
                    },
                }
        sender = message_sender(
            event.direction, subscriber, region, event.other_party, other, envelope_sender
        )
        conv = conversation_key(
            subscriber, participants_for(subscriber, region, event.other_party, addresses)
        )
        self.conversation_id = conv.id
        self.sender = sender
        self.participants = conv.participant_displays


def _is_alpha(key: str) -> bool:
    """A participant key of an alphanumeric sender (not E.164, a short code or an e-mail)."""
    if not key or "@" in key:
        return False
    digits = key[1:] if key.startswith("+") else key
    return not (digits.isdigit() and digits.isascii())


def _labels(raw_event: str, index: int) -> _Labels | None:
    """The importer's labels of a stored raw event, or None when it cannot be read again."""
    try:
        return _Labels(raw_event, index)
    except Exception:  # a row the importer stored once is read again; never stop a migration
        log.warning("message event %d could not be read again; its labels are kept", index)
        return None


def relabel_alphanumeric(conn: sqlite3.Connection) -> tuple[int, int]:
    """Recompute the labels of alphanumeric senders; returns (conversations, messages)
    changed. Runs inside the migration's transaction."""
    conversations = 0
    rows = conn.execute("SELECT id, participants, participant_keys FROM conversations").fetchall()
    for cid, participants, keys in rows:
        if not any(_is_alpha(k) for k in json.loads(keys)):
            continue
        # The conversation's labels are those of the message that made it (its first row).
        first = conn.execute(
            "SELECT raw_event, source_index FROM messages WHERE conversation_id = ? "
            "ORDER BY rowid LIMIT 1",
            (cid,),
        ).fetchone()
        if first is None:
            continue
        record = _labels(first[0], first[1])
        if record is None or record.conversation_id != cid:
            continue
        labels = json.dumps(list(record.participants), ensure_ascii=False)
        if labels != participants:
            conn.execute("UPDATE conversations SET participants = ? WHERE id = ?", (labels, cid))
            conversations += 1
    messages = 0
    mms_rows = conn.execute(
        "SELECT rowid, raw_event, source_index, sender, mms FROM messages "
        "WHERE type = 'mms' AND mms IS NOT NULL AND json_valid(mms)"
    ).fetchall()
    for rowid, raw_event, index, sender, mms_text in mms_rows:
        mms = json.loads(mms_text)
        recipients = mms.get("recipients") or {}
        shown = [mms.get("sender") or "", sender or ""]
        for group in ("to", "cc", "bcc"):
            shown += recipients.get(group) or []
        if not any(normalize_party(a).kind == KIND_ALPHA for a in shown if a):
            continue
        record = _labels(raw_event, index)
        if record is None or record.mms is None:
            continue
        fresh = record.mms
        if (record.sender, fresh.get("sender"), fresh.get("recipients")) == (
            sender,
            mms.get("sender"),
            mms.get("recipients"),
        ):
            continue
        mms["sender"] = fresh.get("sender")
        mms["recipients"] = fresh.get("recipients")
        conn.execute(
            "UPDATE messages SET sender = ?, mms = ? WHERE rowid = ?",
            (record.sender, json.dumps(mms, ensure_ascii=False, separators=(",", ":")), rowid),
        )
        messages += 1
    if conversations or messages:
        log.info(
            "alphanumeric senders shown as received: %d conversations, %d messages relabelled",
            conversations,
            messages,
        )
    return conversations, messages
