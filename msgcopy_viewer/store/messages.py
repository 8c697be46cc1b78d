"""The message model: the one place where rows of a case become objects.

Every reader of messages — thread pages, search results, the inspector, the MMS viewer,
the exports — gets ``Message`` objects from the loaders here, with their ``Part`` list and,
for an MMS, their ``Envelope``. The rules for what a part is (``Part.kind``, contact
cards, whether the SMIL shows it) live in ``Part`` and nowhere else.

``MESSAGE_COLUMNS`` is the one list of the ``messages`` columns an import writes. The
import's insert statement is generated from it (``message_insert_sql``), ingest's record
type must start with exactly these fields (checked when ``ingest.analyze`` is imported),
and the loaders' SELECT reads every one of them, so a column added here reaches every
reader.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import orjson

from msgcopy_viewer.core.media_types import part_kind
from msgcopy_viewer.core.soap import document_kind

# What a stored MM7 document that is not a message is called where it is shown.
KIND_LABELS = {
    "delivery_report": "Delivery report",
    "read_report": "Read report",
    "other": "MM7 document",
}

# The messages columns an import writes, in the order of ingest.analyze.MessageRecord.
MESSAGE_COLUMNS: tuple[str, ...] = (
    "id",
    "fingerprint",
    "conversation_id",
    "direction",
    "type",
    "start_ms",
    "start_raw",
    "other_party",
    "sender",
    "content_type",
    "text",
    "subject",
    "contact_names",
    "attachment_names",
    "has_attachments",
    "warnings",
    "warning_count",
    "mms",
    "raw_event",
    "source_index",
    # subscriberParty as the event gave it (the subscribers table keeps the first seen)
    "sub_mobile",
    "sub_domain",
    "sub_did",
    "sub_subr_id",
)
# Written by the importer itself, after the record's columns.
WRITER_COLUMNS: tuple[str, ...] = ("rowid", "subscriber_id", "source_file_id", "batch_id")
# Read only when asked for: the event's JSON text can be large and few readers need it.
DETAIL_COLUMNS = frozenset({"raw_event"})


def message_insert_sql() -> str:
    cols = MESSAGE_COLUMNS + WRITER_COLUMNS
    return f"INSERT INTO messages({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"


# The mms_parts columns after message_rowid, in the order of part_row.
PART_COLUMNS: tuple[str, ...] = (
    "idx",
    "content_type",
    "detected_type",
    "name",
    "content_id",
    "content_location",
    "charset",
    "size",
    "sha256",
    "is_smil",
    "in_smil",
)


def part_insert_sql() -> str:
    cols = ("message_rowid", *PART_COLUMNS)
    return f"INSERT INTO mms_parts({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"


def part_row(message_rowid: int, p: Part) -> tuple[Any, ...]:
    """The ``mms_parts`` row of part ``p`` of message ``message_rowid``."""
    return (
        message_rowid,
        p.index,
        p.content_type,
        p.detected_type,
        p.name,
        p.content_id,
        p.content_location,
        p.charset,
        p.size,
        p.sha256,
        int(p.is_smil),
        int(p.in_smil),
    )


# -- the objects ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """One decoded MMS part (its bytes are in ``media`` under ``sha256``)."""

    index: int
    content_type: str
    detected_type: str | None
    name: str | None
    content_id: str | None
    content_location: str | None
    charset: str | None
    size: int
    sha256: str
    is_smil: bool
    in_smil: bool
    # a contact card was read from this part (whatever its declared type said)
    has_contact: bool = False

    @property
    def media_type(self) -> str:
        """The type to treat it as: the sniffed type for media, else the declared one."""
        detected = self.detected_type
        if detected and detected.split("/", 1)[0] in ("image", "audio", "video"):
            return detected
        return self.content_type

    @property
    def kind(self) -> str:
        """``smil``, ``contact``, ``image``, ``audio``, ``video``, ``text`` or ``file``."""
        return part_kind(
            self.content_type, self.detected_type, self.name, self.is_smil, self.has_contact
        )

    @property
    def label(self) -> str:
        return self.name or f"Part {self.index + 1}"


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact card received in an MMS (photo bytes in ``media``)."""

    part: int | None
    name: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    org: str | None
    addresses: tuple[str, ...]
    photo_sha256: str | None
    photo_type: str | None
    parsed: bool
    raw: str | None  # the card's text, kept when only the lenient reader could read it

    @property
    def has_photo(self) -> bool:
        return self.photo_sha256 is not None


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the MM7 envelope and the SMIL of an MMS say (see docs/case-format.md)."""

    subject: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    transaction_id: str | None = None
    timestamp: str | None = None
    message_kind: str | None = None
    # delivery and read reports: the MessageID they are about, MMStatus, StatusText
    message_id: str | None = None
    status: str | None = None
    status_text: str | None = None
    mm7_version: str | None = None
    slides_source: str | None = None  # "smil" | "fallback" | None
    contacts: tuple[Contact, ...] = ()
    # The SMIL presentation as stored: {"root_width", "root_height", "regions"} and
    # [{"duration_ms", "items": [{"kind", "part", "region", "src", "begin_ms", "end_ms"}]}]
    layout: Mapping[str, Any] | None = None
    slides: tuple[Mapping[str, Any], ...] = ()

    def contact_names(self, part_index: int) -> list[str]:
        return [c.name for c in self.contacts if c.part == part_index and c.name]


@dataclass(frozen=True, slots=True)
class Source:
    """The file an event was first read from (``occurrences`` has every one)."""

    root: str
    path: str
    sha256: str | None
    index: int
    batch_id: int


@dataclass(frozen=True, slots=True)
class Message:
    """One stored message, as every reader sees it."""

    rowid: int
    id: str
    fingerprint: str
    conversation_id: str
    subscriber_id: int
    direction: str  # "mo" (sent by the subscriber) | "mt" (received)
    type: str  # "sms" | "mms"
    start_ms: int
    start_raw: str
    other_party: str  # otherParty.number as received
    sender: str | None  # who sent it, as shown
    content_type: str | None
    text: str  # SMS: the message; MMS: its text parts
    subject: str | None
    contact_names: str
    attachment_names: str  # names of the MMS parts (SMIL excluded), one per line
    has_attachments: bool
    warnings: tuple[str, ...]
    # subscriberParty of this event as received (None where the event had none)
    sub_mobile: str | None
    sub_domain: str | None
    sub_did: str | None
    sub_subr_id: str | None
    source: Source
    # the conversation's participants (display forms) and whether it is a group
    participants: tuple[str, ...]
    is_group: bool
    # the case's subscriber (normalised key, and the mobile as first seen)
    subscriber_key: str
    subscriber_mobile: str
    parts: tuple[Part, ...] = ()
    envelope: Envelope | None = None  # MMS only
    raw_event: str | None = None  # only from loaders called with ``raw=True``

    @property
    def key(self) -> tuple[int, int]:
        """Thread and search order: (start_ms, rowid)."""
        return (self.start_ms, self.rowid)

    @property
    def is_mms(self) -> bool:
        return self.type == "mms"

    @property
    def outgoing(self) -> bool:
        return self.direction == "mo"

    @property
    def kind(self) -> str:
        """What the event holds: ``message``, or for an MMS event whose MM7 document is not
        a message, ``delivery_report``, ``read_report`` or ``other``."""
        if self.envelope is None:
            return "message"
        return document_kind(self.envelope.message_kind)

    @property
    def is_report(self) -> bool:
        """A delivery or read report (or another MM7 document that is not a message)."""
        return self.kind != "message"

    def report_summary(self) -> str:
        """``Delivery report: Retrieved (Success) · for message 3695…`` ("" for a message)."""
        if not self.is_report:
            return ""
        env = self.envelope or Envelope()
        label = KIND_LABELS[self.kind]
        if self.kind == "other":
            label = f"{label} ({env.message_kind})"
        status = env.status or ""
        if env.status_text and env.status_text != env.status:
            status = f"{status} ({env.status_text})" if status else env.status_text
        out = f"{label}: {status}" if status else label
        if env.message_id:
            out += f" · for message {env.message_id}"
        return out

    @property
    def images(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "image"]

    @property
    def attachments(self) -> list[Part]:
        """Parts shown as chips: everything but images, SMIL and the text bodies."""
        return [p for p in self.parts if p.kind not in ("image", "smil", "text")]

    def part(self, index: object) -> Part | None:
        for p in self.parts:
            if p.index == index:
                return p
        return None


# -- reading ----------------------------------------------------------------------------------

_READ = [c for c in MESSAGE_COLUMNS if c not in DETAIL_COLUMNS]
_SELECT_HEAD = (
    "SELECT m.rowid, m.subscriber_id, m.batch_id, "
    + ", ".join(f"m.{c}" for c in _READ)
    + ", s.root, s.path, s.sha256, c.participants, c.is_group, sub.key, sub.mobile"
)
_FROM = (
    " FROM messages m"
    " JOIN source_files s ON s.id = m.source_file_id"
    " JOIN conversations c ON c.id = m.conversation_id"
    " JOIN subscribers sub ON sub.id = m.subscriber_id"
)
_N_READ = len(_READ)


def select_sql(*, raw: bool = False, indexed_by: str | None = None) -> str:
    """``SELECT … FROM messages m JOIN …`` of every column a ``Message`` is made from
    (add ``WHERE``/``ORDER BY`` on ``m.``), for ``messages_from_rows``."""
    head = _SELECT_HEAD + (", m.raw_event" if raw else "")
    if indexed_by is None:
        return head + _FROM
    return head + _FROM.replace(" FROM messages m", f" FROM messages m INDEXED BY {indexed_by}")


def _json(text: Any) -> Any:
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if v) if isinstance(value, list) else ()


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _contact(c: Mapping[str, Any]) -> Contact:
    part = c.get("part")
    return Contact(
        part=part if isinstance(part, int) else None,
        name=_opt(c.get("name")),
        phones=_strs(c.get("phones")),
        emails=_strs(c.get("emails")),
        org=_opt(c.get("org")),
        addresses=_strs(c.get("addresses")),
        photo_sha256=_opt(c.get("photo_sha256")),
        photo_type=_opt(c.get("photo_type")),
        parsed=bool(c.get("parsed", True)),
        raw=_opt(c.get("raw")),
    )


def envelope_from_json(text: str | None) -> Envelope:
    """The ``Envelope`` of a stored ``mms`` JSON text (an empty one when it is unreadable)."""
    obj = _json(text)
    if not isinstance(obj, dict):
        return Envelope()
    rec = obj.get("recipients")
    rec = rec if isinstance(rec, dict) else {}
    contacts = obj.get("contacts")
    slides = obj.get("slides")
    layout = obj.get("layout")
    return Envelope(
        subject=_opt(obj.get("subject")),
        sender=_opt(obj.get("sender")),
        to=_strs(rec.get("to")),
        cc=_strs(rec.get("cc")),
        bcc=_strs(rec.get("bcc")),
        transaction_id=_opt(obj.get("transaction_id")),
        timestamp=_opt(obj.get("timestamp")),
        message_kind=_opt(obj.get("message_kind")),
        message_id=_opt(obj.get("message_id")),
        status=_opt(obj.get("status")),
        status_text=_opt(obj.get("status_text")),
        mm7_version=_opt(obj.get("mm7_version")),
        slides_source=_opt(obj.get("slides_source")),
        contacts=tuple(
            _contact(c)
            for c in (contacts if isinstance(contacts, list) else [])
            if isinstance(c, dict)
        ),
        layout=layout if isinstance(layout, dict) else None,
        slides=tuple(
            s for s in (slides if isinstance(slides, list) else []) if isinstance(s, dict)
        ),
    )


def messages_from_rows(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[Message]:
    """``Message`` objects (parts and envelope included) from rows of ``select_sql``."""
    out: list[Message] = []
    envelopes: dict[int, Envelope] = {}
    n = _N_READ
    for r in rows:
        v = dict(zip(_READ, r[3 : 3 + n], strict=True))
        rowid = int(r[0])
        if v["type"] == "mms":
            envelopes[rowid] = envelope_from_json(v["mms"])
        warnings = _json(v["warnings"])
        tail = r[3 + n :]
        participants = _json(tail[3])
        out.append(
            Message(
                rowid=rowid,
                id=v["id"],
                fingerprint=v["fingerprint"],
                conversation_id=v["conversation_id"],
                subscriber_id=int(r[1]),
                direction=v["direction"],
                type=v["type"],
                start_ms=int(v["start_ms"]),
                start_raw=v["start_raw"],
                other_party=v["other_party"],
                sender=v["sender"],
                content_type=v["content_type"],
                text=v["text"] or "",
                subject=v["subject"],
                contact_names=v["contact_names"] or "",
                attachment_names=v["attachment_names"] or "",
                has_attachments=bool(v["has_attachments"]),
                warnings=_strs(warnings),
                sub_mobile=v["sub_mobile"],
                sub_domain=v["sub_domain"],
                sub_did=v["sub_did"],
                sub_subr_id=v["sub_subr_id"],
                source=Source(
                    root=tail[0],
                    path=tail[1],
                    sha256=tail[2],
                    index=int(v["source_index"]),
                    batch_id=int(r[2]),
                ),
                participants=_strs(participants),
                is_group=bool(tail[4]),
                subscriber_key=tail[5],
                subscriber_mobile=tail[6],
                envelope=envelopes.get(rowid),
                raw_event=tail[7] if len(tail) > 7 else None,
            )
        )
    if envelopes:
        _attach_parts(conn, out, envelopes)
    return out


def _attach_parts(
    conn: sqlite3.Connection, messages: list[Message], envelopes: dict[int, Envelope]
) -> None:
    parts: dict[int, list[Part]] = {}
    rowids = list(envelopes)
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for p in conn.execute(
            f"SELECT message_rowid, {', '.join(PART_COLUMNS)} FROM mms_parts "
            f"WHERE message_rowid IN ({marks}) ORDER BY message_rowid, idx",
            chunk,
        ):
            rowid = int(p[0])
            env = envelopes[rowid]
            parts.setdefault(rowid, []).append(
                Part(
                    index=int(p[1]),
                    content_type=str(p[2] or ""),
                    detected_type=p[3],
                    name=p[4],
                    content_id=p[5],
                    content_location=p[6],
                    charset=p[7],
                    size=int(p[8]),
                    sha256=p[9],
                    is_smil=bool(p[10]),
                    in_smil=bool(p[11]),
                    has_contact=any(c.part == p[1] for c in env.contacts),
                )
            )
    for i, m in enumerate(messages):
        got = parts.get(m.rowid)
        if got:
            messages[i] = _with_parts(m, tuple(got))


def _with_parts(m: Message, parts: tuple[Part, ...]) -> Message:
    return replace(m, parts=parts)


def load_messages(
    conn: sqlite3.Connection, rowids: Sequence[int], *, raw: bool = False
) -> list[Message]:
    """The given messages (any conversation), in thread order (start time, then rowid)."""
    if not rowids:
        return []
    out: list[Message] = []
    ids = [int(r) for r in rowids]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(select_sql(raw=raw) + f" WHERE m.rowid IN ({marks})", chunk).fetchall()
        out.extend(messages_from_rows(conn, rows))
    out.sort(key=lambda m: m.key)
    return out


def get_message(
    conn: sqlite3.Connection, message: int | str, *, raw: bool = True
) -> Message | None:
    """One message by rowid (int) or public id (str), with its raw event by default."""
    col = "m.rowid" if isinstance(message, int) else "m.id"
    rows = conn.execute(select_sql(raw=raw) + f" WHERE {col} = ?", (message,)).fetchall()
    found = messages_from_rows(conn, rows)
    return found[0] if found else None


def iter_messages(
    conn: sqlite3.Connection,
    conversation_id: str | None = None,
    *,
    mms_only: bool = False,
    raw: bool = False,
    batch: int = 500,
) -> Iterator[Message]:
    """Every message (or one conversation's; or only MMS) in export order: start time,
    then id. Read ``batch`` rows at a time, so memory stays flat whatever the case holds."""
    where: list[str] = []
    args: list[Any] = []
    if conversation_id is not None:
        where.append("m.conversation_id = ?")
        args.append(conversation_id)
    if mms_only:
        where.append("m.type = 'mms'")
    sql = select_sql(raw=raw) + (" WHERE " + " AND ".join(where) if where else "")
    cur = conn.execute(sql + " ORDER BY m.start_ms, m.id", args)
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        # parts are read on another cursor while this one is still open: both are reads
        yield from messages_from_rows(conn, rows)


# -- selections -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """Which messages a report covers; every field that is set narrows the selection.

    ``rowids`` holds an explicit list (search results, chosen messages); it is passed to
    SQLite as one JSON array, so a long list costs one statement, not one per id."""

    conversation_ids: tuple[str, ...] | None = None
    subscriber_ids: tuple[int, ...] | None = None
    from_ms: int | None = None  # inclusive
    to_ms: int | None = None  # exclusive
    rowids: tuple[int, ...] | None = None
    mms_only: bool = False
    tag_id: int | None = None  # only the messages carrying this tag (store.annotations)

    def narrowed(self, conversation_id: str) -> MessageFilter:
        """The same selection inside one conversation."""
        if self.conversation_ids is not None and conversation_id not in self.conversation_ids:
            return replace(self, conversation_ids=())
        return replace(self, conversation_ids=(conversation_id,))


def _filter_where(f: MessageFilter) -> tuple[str, list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if f.tag_id is not None:
        where.append("m.rowid IN (SELECT message_rowid FROM message_tags WHERE tag_id = ?)")
        args.append(f.tag_id)
    if f.conversation_ids is not None:
        if not f.conversation_ids:
            where.append("0")
        elif len(f.conversation_ids) == 1:
            where.append("m.conversation_id = ?")
            args.append(f.conversation_ids[0])
        else:
            where.append("m.conversation_id IN (SELECT value FROM json_each(?))")
            args.append(orjson.dumps(list(f.conversation_ids)).decode())
    if f.subscriber_ids is not None:
        where.append("m.subscriber_id IN (SELECT value FROM json_each(?))")
        args.append(orjson.dumps([int(s) for s in f.subscriber_ids]).decode())
    if f.from_ms is not None:
        where.append("m.start_ms >= ?")
        args.append(int(f.from_ms))
    if f.to_ms is not None:
        where.append("m.start_ms < ?")
        args.append(int(f.to_ms))
    if f.rowids is not None:
        where.append("m.rowid IN (SELECT value FROM json_each(?))")
        args.append(orjson.dumps([int(r) for r in f.rowids]).decode())
    if f.mms_only:
        where.append("m.type = 'mms'")
    return (" WHERE " + " AND ".join(where) if where else ""), args


def iter_filtered(
    conn: sqlite3.Connection, selection: MessageFilter, *, raw: bool = False, batch: int = 500
) -> Iterator[Message]:
    """The selected messages in export order (start time, then id), ``batch`` rows at a
    time: memory stays flat whatever the selection holds."""
    where, args = _filter_where(selection)
    cur = conn.execute(select_sql(raw=raw) + where + " ORDER BY m.start_ms, m.id", args)
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield from messages_from_rows(conn, rows)


def count_filtered(conn: sqlite3.Connection, selection: MessageFilter) -> int:
    where, args = _filter_where(selection)
    row = conn.execute("SELECT count(*) FROM messages m" + where, args).fetchone()
    return int(row[0])


@dataclass(frozen=True, slots=True)
class ConversationSpan:
    """One conversation's share of a selection."""

    conversation_id: str
    participants: tuple[str, ...]
    is_group: bool
    subscriber_mobile: str
    count: int
    mms_count: int
    first_ms: int
    last_ms: int


def conversation_spans(
    conn: sqlite3.Connection, selection: MessageFilter
) -> list[ConversationSpan]:
    """Every conversation the selection touches, by its first selected message."""
    where, args = _filter_where(selection)
    rows = conn.execute(
        "SELECT m.conversation_id, count(*), sum(m.type = 'mms'), min(m.start_ms), "
        "max(m.start_ms) FROM messages m" + where + " GROUP BY m.conversation_id",
        args,
    ).fetchall()
    out: list[ConversationSpan] = []
    for r in rows:
        info = conn.execute(
            "SELECT c.participants, c.is_group, sub.mobile FROM conversations c "
            "JOIN subscribers sub ON sub.id = c.subscriber_id WHERE c.id = ?",
            (r[0],),
        ).fetchone()
        out.append(
            ConversationSpan(
                conversation_id=str(r[0]),
                participants=_strs(_json(info[0])) if info else (),
                is_group=bool(info[1]) if info else False,
                subscriber_mobile=str(info[2]) if info else "",
                count=int(r[1]),
                mms_count=int(r[2] or 0),
                first_ms=int(r[3]),
                last_ms=int(r[4]),
            )
        )
    out.sort(key=lambda s: (s.first_ms, s.conversation_id))
    return out


def rowids_for_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
    """Public message id → rowid for the ids the case holds."""
    out: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT id, rowid FROM messages WHERE id IN ({marks})", chunk):
            out[str(r[0])] = int(r[1])
    return out


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Every read inside sees the case as it was at the first one (one read transaction),
    even while an import commits on another connection: a report's index, pages and
    counts agree with each other."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
