"""Turn one source file's bytes into records ready to store (no database access).

This is the CPU-heavy half of an import: hashing, JSON parsing, validation,
number normalisation, MMS decoding. It runs in worker processes; its inputs
and outputs are plain picklable objects.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from msgcopy_viewer.core.conversations import (
    ConversationKey,
    conversation_key,
    incoming_sender,
    message_sender,
    participants_for,
    shown_addresses,
)
from msgcopy_viewer.core.events import DocumentError, Event, parse_document
from msgcopy_viewer.core.parties import (
    Party,
    normalize_party,
    normalize_subscriber,
    subscriber_region,
)
from msgcopy_viewer.store.messages import MESSAGE_COLUMNS, Part

if TYPE_CHECKING:
    from msgcopy_viewer.core.mms import DecodedMms
    from msgcopy_viewer.core.soap import Envelope

SNIPPET_CHARS = 160


# Records are named tuples: they cross a process boundary for every file imported, and
# a tuple pickles and unpickles several times faster than any class with attributes.
class MessageRecord(NamedTuple):
    """One parsed event. Its first fields are, in order and by name, the columns of
    ``store.messages.MESSAGE_COLUMNS`` (checked below), so the insert statement made from
    that list takes ``record[:len(MESSAGE_COLUMNS)]`` as it is."""

    id: str
    fingerprint: str
    conversation_id: str
    direction: str
    type: str
    start_ms: int
    start_raw: str
    other_party: str
    sender: str
    content_type: str | None
    text: str
    subject: str | None
    contact_names: str
    attachment_names: str
    has_attachments: int
    warnings: str  # JSON list
    warning_count: int
    mms: str | None  # JSON (docs/case-format.md)
    raw_event: str
    source_index: int  # position in the file's smsEvent list
    sub_mobile: str
    sub_domain: str | None
    sub_did: str | None
    sub_subr_id: str | None
    # -- not stored as such --
    subscriber_key: str
    participants: tuple[str, ...]
    participant_keys: tuple[str, ...]
    parts: tuple[Part, ...] = ()
    blobs: tuple[tuple[str, bytes], ...] = ()  # (sha256, bytes) of decoded media

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled by tuple.__new__ itself: the generated __new__ of a named tuple is a
        # Python function of 28 arguments, which made unpickling cost more than parsing.
        return (tuple.__new__, (MessageRecord, tuple(self)))


STORED_FIELDS = len(MESSAGE_COLUMNS)
if MessageRecord._fields[:STORED_FIELDS] != MESSAGE_COLUMNS:  # pragma: no cover - a bug
    raise ImportError("MessageRecord does not start with store.messages.MESSAGE_COLUMNS")


class FileAnalysis(NamedTuple):
    sha256: str
    size: int
    error: str | None
    messages: list[MessageRecord]
    mtime_ms: int | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple.__new__, (FileAnalysis, tuple(self)))


def analyze_bytes(data: bytes, mtime_ms: int | None = None) -> FileAnalysis:
    digest = hashlib.sha256(data).hexdigest()
    try:
        events = parse_document(data)
    except DocumentError as exc:
        return FileAnalysis(digest, len(data), str(exc), [], mtime_ms)
    records = [build_record(e) for e in events]
    for i, record in enumerate(records):
        # An SMS record is made of the event's fields, which parse_document has already
        # cleaned of lone surrogates; an MMS adds text from MIME parts (UTF-7 can make one).
        if record.type == "mms" and not _storable(record):
            records[i] = _without_surrogates(record)
    return FileAnalysis(digest, len(data), None, records, mtime_ms)


# Text fields of a MessageRecord (index, what the warning calls it). SQLite, like every
# UTF-8 consumer, cannot hold a lone surrogate: one from a file (a UTF-7 MIME part, an
# escape in the JSON) is replaced by U+FFFD with a warning instead of failing the import.
_TEXT_FIELDS = tuple(
    (MessageRecord._fields.index(name), label)
    for name, label in (
        ("sender", "sender"),
        ("other_party", "otherParty.number"),
        ("content_type", "messageContentType"),
        ("text", "message text"),
        ("subject", "subject"),
        ("contact_names", "contact names"),
        ("mms", "MMS details"),
        ("raw_event", "raw event"),
        ("start_raw", "startTime"),
        ("subscriber_key", "subscriber"),
        ("sub_mobile", "subscriberParty.mobile"),
        ("sub_domain", "subscriberParty.domain"),
        ("sub_did", "subscriberParty.did"),
        ("sub_subr_id", "subscriberParty.subrId"),
    )
)
_TUPLE_FIELDS = tuple(MessageRecord._fields.index(n) for n in ("participants", "participant_keys"))
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(record: MessageRecord) -> bool:
    """True when every text of the record can be encoded as UTF-8 (one join, one encode)."""
    rec: tuple[Any, ...] = record
    texts: list[str] = [rec[i] or "" for i, _ in _TEXT_FIELDS]
    for i in _TUPLE_FIELDS:
        texts.extend(rec[i])
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _without_surrogates(record: MessageRecord) -> MessageRecord:
    values: list[Any] = list(record)
    damaged: list[str] = []
    for i, label in _TEXT_FIELDS:
        value = values[i]
        if value is not None and _LONE_SURROGATE.search(value):
            values[i] = _LONE_SURROGATE.sub("\ufffd", value)
            damaged.append(label)
    for i in _TUPLE_FIELDS:
        values[i] = tuple(_LONE_SURROGATE.sub("\ufffd", v) for v in values[i])
    warnings = list(json.loads(record.warnings))
    warnings.append(
        f"Lone surrogates (not characters) in {', '.join(damaged) or 'participants'}: "
        "shown as U+FFFD"
    )
    w = MessageRecord._fields.index("warnings")
    values[w] = json.dumps(warnings, ensure_ascii=False)
    values[w + 1] = len(warnings)
    return tuple.__new__(MessageRecord, values)


@lru_cache(maxsize=65536)
def _sms_threading(mobile: str, other_party: str) -> tuple[Party, str, ConversationKey]:
    """(subscriber, sender shown for an incoming message, conversation) of an SMS: they
    depend on the two numbers only, and a corpus repeats the same pairs over and over."""
    subscriber = normalize_subscriber(mobile)
    region = subscriber_region(mobile)
    other = normalize_party(other_party, region)
    conv = conversation_key(subscriber, participants_for(subscriber, region, other_party))
    return subscriber, incoming_sender(other_party, other), conv


def build_record(event: Event) -> MessageRecord:
    if event.message_type != "sms":
        return _build_mms_record(event)
    subscriber, received_from, conv = _sms_threading(event.mobile, event.other_party)
    sender = subscriber.display if event.direction == "mo" else received_from
    warnings = event.warnings
    return _record(
        event,
        conv,
        subscriber,
        sender,
        event.message,
        None,
        "",
        0,
        json.dumps(list(warnings), ensure_ascii=False) if warnings else "[]",
        len(warnings),
        None,
    )


def _record(
    event: Event,
    conv: ConversationKey,
    subscriber: Party,
    sender: str,
    text: str,
    subject: str | None,
    contact_names: str,
    has_attachments: int,
    warnings_json: str,
    warning_count: int,
    mms_json: str | None,
    parts: tuple[Part, ...] = (),
    blobs: tuple[tuple[str, bytes], ...] = (),
    attachment_names: str = "",
) -> MessageRecord:
    return MessageRecord(
        event.message_id,
        event.fingerprint,
        conv.id,
        event.direction,
        event.message_type,
        event.start_ms,
        event.start_raw,
        event.other_party,
        sender,
        event.content_type,
        text,
        subject,
        contact_names,
        attachment_names,
        has_attachments,
        warnings_json,
        warning_count,
        mms_json,
        event.raw_text,
        event.index,
        event.mobile,
        event.domain,
        event.did,
        event.subr_id,
        subscriber.key,
        conv.participant_displays,
        conv.participant_keys,
        parts,
        blobs,
    )


def _build_mms_record(event: Event) -> MessageRecord:
    subscriber = normalize_subscriber(event.mobile)
    region = subscriber_region(event.mobile)
    other = normalize_party(event.other_party, region)
    warnings: list[str] = list(event.warnings)
    parts: list[Part] = []
    blobs: dict[str, bytes] = {}
    subject: str | None = None
    contact_names = ""
    attachment_names = ""
    addresses: list[str] = []
    # Imported here: the MIME, XML and vCard stack takes a tenth of a second to load,
    # which a worker process started for an SMS-only import never needs.
    from msgcopy_viewer.core.mms import MmsError, decode_mms

    decoded: DecodedMms | None
    try:
        decoded = decode_mms(event.message)
    except MmsError as exc:
        decoded = None
        warnings.append(f"The MMS body could not be decoded: {exc}")
    if decoded is not None:
        warnings.extend(decoded.warnings)
        env = decoded.envelope
        if env.sender:
            addresses.append(env.sender)
        addresses.extend(env.to + env.cc + env.bcc)
        mismatch = _sender_mismatch(event, env, region, subscriber, other)
        if mismatch:
            warnings.append(mismatch)
        subject = env.subject
        text = decoded.text
        contact_names = "\n".join(c.name for c in decoded.contacts if c.name)
        attachment_names = "\n".join(p.name for p in decoded.parts if p.name and not p.is_smil)
        mms_obj = mms_to_json(decoded, region, blobs)
        carded = {c.part for c in decoded.contacts}
        for p in decoded.parts:
            blobs.setdefault(p.sha256, p.data)
            parts.append(
                Part(
                    index=p.index,
                    content_type=p.content_type,
                    detected_type=p.detected_type,
                    name=p.name,
                    content_id=p.content_id,
                    content_location=p.content_location,
                    charset=p.charset,
                    size=p.size,
                    sha256=p.sha256,
                    is_smil=p.is_smil,
                    in_smil=p.in_smil,
                    has_contact=p.index in carded,
                )
            )
    else:
        text = ""
        mms_obj = empty_mms_json()
    mms_json = json.dumps(mms_obj, ensure_ascii=False, separators=(",", ":"))
    sender = message_sender(
        event.direction,
        subscriber,
        region,
        event.other_party,
        other,
        decoded.envelope.sender if decoded is not None else None,
    )
    participants = participants_for(subscriber, region, event.other_party, addresses)
    conv = conversation_key(subscriber, participants)
    has_attachments = any(
        not p.is_smil and not p.content_type.startswith("text/plain") for p in parts
    )
    return _record(
        event,
        conv,
        subscriber,
        sender,
        text,
        subject,
        contact_names,
        int(has_attachments),
        json.dumps(warnings, ensure_ascii=False) if warnings else "[]",
        len(warnings),
        mms_json,
        tuple(parts),
        tuple(blobs.items()),
        attachment_names,
    )


def _sender_mismatch(
    event: Event, env: Envelope, region: str, subscriber: Party, other: Party
) -> str | None:
    """A warning when the MMS envelope and the event disagree on who sent the message.

    An incoming message's ``otherParty.number`` is its sender, except in a group MMS,
    where the vendor puts the first recipient there: a group message disagrees only when
    that number is neither the envelope's sender nor one of its recipients. An outgoing
    message is sent by the subscriber."""
    if not env.sender:
        return None
    sp = normalize_party(env.sender, region)
    if not sp.key:
        return None
    if event.direction == "mo":
        if sp.key != subscriber.key:
            return (
                f"The MMS envelope names {env.sender!r} as the sender of a message the "
                f"subscriber {event.mobile!r} sent"
            )
        return None
    if not other.key or sp.key == other.key:
        return None
    recipients = {normalize_party(a, region).key for a in env.to + env.cc + env.bcc}
    recipients.discard(subscriber.key)
    recipients.discard("")
    if recipients and other.key in recipients:
        return None  # a group MMS: otherParty.number is its first recipient
    return (
        f"The MMS envelope names {env.sender!r} as the sender, but otherParty.number "
        f"is {event.other_party!r}"
    )


def empty_mms_json() -> dict[str, Any]:
    return {
        "subject": None,
        "sender": None,
        "recipients": {"to": [], "cc": [], "bcc": []},
        "transaction_id": None,
        "timestamp": None,
        "message_kind": None,
        "message_id": None,
        "status": None,
        "status_text": None,
        "mm7_version": None,
        "slides_source": None,
        "layout": None,
        "slides": [],
        "contacts": [],
    }


def mms_to_json(decoded: DecodedMms, region: str, blobs: dict[str, bytes]) -> dict[str, Any]:
    """The stored ``mms`` JSON of a decoded MMS: envelope, SMIL layout and slides, contact
    cards. Its parts are stored as rows of ``mms_parts`` (see docs/case-format.md)."""
    env = decoded.envelope

    contacts = []
    for c in decoded.contacts:
        photo_sha = None
        if c.photo:
            photo_sha = hashlib.sha256(c.photo).hexdigest()
            blobs.setdefault(photo_sha, c.photo)
        contacts.append(
            {
                "part": c.part,
                "name": c.name,
                "phones": list(c.phones),
                "emails": list(c.emails),
                "org": c.org,
                "addresses": list(c.addresses),
                "has_photo": c.photo is not None,
                "photo_sha256": photo_sha,
                "photo_type": c.photo_type,
                "parsed": c.parsed,
                "raw": None if c.parsed else c.raw,
            }
        )
    layout = None
    if decoded.layout is not None:
        layout = {
            "root_width": decoded.layout.root_width,
            "root_height": decoded.layout.root_height,
            "regions": {
                rid: {
                    "left": r.left,
                    "top": r.top,
                    "width": r.width,
                    "height": r.height,
                    "fit": r.fit,
                }
                for rid, r in decoded.layout.regions.items()
            },
        }
    return {
        "subject": env.subject,
        "sender": normalize_party(env.sender, region).display if env.sender else None,
        "recipients": {
            "to": shown_addresses(env.to, region),
            "cc": shown_addresses(env.cc, region),
            "bcc": shown_addresses(env.bcc, region),
        },
        "transaction_id": env.transaction_id,
        "timestamp": env.timestamp,
        "message_kind": env.message_kind,
        # delivery and read reports: the message they are about and what became of it
        "message_id": env.message_id,
        "status": env.status,
        "status_text": env.status_text,
        "mm7_version": env.mm7_version,
        "slides_source": decoded.slides_source,
        "layout": layout,
        "slides": [
            {
                "duration_ms": s.duration_ms,
                "items": [
                    {
                        "kind": i.kind,
                        "part": i.part,
                        "region": i.region,
                        "src": i.src,
                        "begin_ms": i.begin_ms,
                        "end_ms": i.end_ms,
                    }
                    for i in s.items
                ],
            }
            for s in decoded.slides
        ],
        "contacts": contacts,
    }


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"
