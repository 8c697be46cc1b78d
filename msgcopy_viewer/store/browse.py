"""Qt-free read queries for browsing a case: subscribers, conversations, thread pages
(``store.messages.Message`` objects), and the inspector's provenance details.

Every list that can grow with the case is paged with keyset queries (``WHERE (key) < (?)
ORDER BY key LIMIT n``), never ``OFFSET``; the GUI models call these page by page.
Subscribers are few (one per Extend SIM), so they are read in one go.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from msgcopy_viewer.store.messages import Message, messages_from_rows, select_sql
from msgcopy_viewer.store.search import parse_query

# Conversation keyset: (last_ms, id), newest first.
ConversationKey = tuple[int, str]
# Thread keyset: (start_ms, rowid), oldest first.
ThreadKey = tuple[int, int]


@dataclass(slots=True)
class SubscriberInfo:
    id: int
    key: str
    mobile: str
    domain: str | None
    did: str | None
    subr_id: str | None
    message_count: int
    first_ms: int | None
    last_ms: int | None


@dataclass(slots=True)
class ConversationInfo:
    id: str
    subscriber_id: int
    subscriber_mobile: str
    participants: list[str]
    is_group: bool
    message_count: int
    mms_count: int
    first_ms: int | None
    last_ms: int | None
    last_rowid: int | None
    last_snippet: str | None

    @property
    def sort_key(self) -> ConversationKey:
        return (self.last_ms or 0, self.id)

    @property
    def title(self) -> str:
        return ", ".join(self.participants) if self.participants else "(no participants)"


@dataclass(slots=True)
class MessageLocation:
    rowid: int
    id: str
    conversation_id: str
    subscriber_id: int
    start_ms: int


# -- subscribers ------------------------------------------------------------------------------


def list_subscribers(conn: sqlite3.Connection) -> list[SubscriberInfo]:
    """All subscribers, by domain then mobile (a case holds a handful to a few thousand)."""
    rows = conn.execute(
        "SELECT id, key, mobile, domain, did, subr_id, message_count, first_ms, last_ms "
        "FROM subscribers ORDER BY coalesce(domain, '') COLLATE NOCASE, key"
    ).fetchall()
    return [
        SubscriberInfo(
            id=r[0],
            key=r[1],
            mobile=r[2],
            domain=r[3],
            did=r[4],
            subr_id=r[5],
            message_count=r[6],
            first_ms=r[7],
            last_ms=r[8],
        )
        for r in rows
    ]


def group_by_domain(subs: Sequence[SubscriberInfo]) -> list[tuple[str, list[SubscriberInfo]]]:
    """``[(domain, [subscriber…])…]`` in the order ``list_subscribers`` returns them."""
    groups: dict[str, list[SubscriberInfo]] = {}
    for s in subs:
        groups.setdefault(s.domain or "", []).append(s)
    return list(groups.items())


# -- conversations ----------------------------------------------------------------------------

_CONV_SELECT = (
    "SELECT c.id, c.subscriber_id, sub.mobile, c.participants, c.is_group, c.message_count, "
    "c.mms_count, c.first_ms, c.last_ms, c.last_rowid, c.last_snippet "
    "FROM conversations c JOIN subscribers sub ON sub.id = c.subscriber_id "
)


def _conv(r: Any) -> ConversationInfo:
    try:
        participants = json.loads(r[3])
    except (TypeError, ValueError):
        participants = []
    return ConversationInfo(
        id=r[0],
        subscriber_id=r[1],
        subscriber_mobile=r[2],
        participants=[str(p) for p in participants] if isinstance(participants, list) else [],
        is_group=bool(r[4]),
        message_count=r[5],
        mms_count=r[6],
        first_ms=r[7],
        last_ms=r[8],
        last_rowid=r[9],
        last_snippet=r[10],
    )


def conversations_page(
    conn: sqlite3.Connection,
    subscriber_ids: Sequence[int] | None = None,
    after: ConversationKey | None = None,
    limit: int = 200,
) -> list[ConversationInfo]:
    """Conversations by last activity, newest first, starting after the keyset ``after``.

    ``subscriber_ids`` None means every subscriber; an empty sequence means none.
    """
    if subscriber_ids is not None and not subscriber_ids:
        return []
    where: list[str] = ["c.last_ms IS NOT NULL"]
    args: list[Any] = []
    if subscriber_ids is not None:
        if len(subscriber_ids) == 1:
            where.append("c.subscriber_id = ?")
        else:
            where.append(f"c.subscriber_id IN ({','.join('?' * len(subscriber_ids))})")
        args.extend(int(s) for s in subscriber_ids)
    if after is not None:
        where.append("(c.last_ms, c.id) < (?, ?)")
        args.extend(after)
    sql = (
        _CONV_SELECT
        + "WHERE "
        + " AND ".join(where)
        + " ORDER BY c.last_ms DESC, c.id DESC LIMIT ?"
    )
    args.append(int(limit))
    return [_conv(r) for r in conn.execute(sql, args)]


def get_conversation(conn: sqlite3.Connection, conversation_id: str) -> ConversationInfo | None:
    r = conn.execute(_CONV_SELECT + "WHERE c.id = ?", (conversation_id,)).fetchone()
    return None if r is None else _conv(r)


def conversation_exists(conn: sqlite3.Connection, conversation_id: str) -> bool:
    row = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    return row is not None


def conversation_count(conn: sqlite3.Connection, subscriber_ids: Sequence[int] | None) -> int:
    if subscriber_ids is None:
        return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
    if not subscriber_ids:
        return 0
    marks = ",".join("?" * len(subscriber_ids))
    return int(
        conn.execute(
            f"SELECT count(*) FROM conversations WHERE subscriber_id IN ({marks})",
            [int(s) for s in subscriber_ids],
        ).fetchone()[0]
    )


# -- thread pages -----------------------------------------------------------------------------


def _page(conn: sqlite3.Connection, where: str, args: Sequence[Any], order: str) -> list[Message]:
    rows = conn.execute(select_sql() + " WHERE " + where + order, args).fetchall()
    return messages_from_rows(conn, rows)


def thread_after(
    conn: sqlite3.Connection, conversation_id: str, after: ThreadKey | None, limit: int = 100
) -> list[Message]:
    """Up to ``limit`` messages after ``after`` (None: from the first), oldest first."""
    order = " ORDER BY m.start_ms, m.rowid LIMIT ?"
    if after is None:
        return _page(conn, "m.conversation_id = ?", (conversation_id, int(limit)), order)
    return _page(
        conn,
        "m.conversation_id = ? AND (m.start_ms, m.rowid) > (?, ?)",
        (conversation_id, after[0], after[1], int(limit)),
        order,
    )


def thread_before(
    conn: sqlite3.Connection, conversation_id: str, before: ThreadKey | None, limit: int = 100
) -> list[Message]:
    """Up to ``limit`` messages before ``before`` (None: the last ones), oldest first."""
    order = " ORDER BY m.start_ms DESC, m.rowid DESC LIMIT ?"
    if before is None:
        items = _page(conn, "m.conversation_id = ?", (conversation_id, int(limit)), order)
    else:
        items = _page(
            conn,
            "m.conversation_id = ? AND (m.start_ms, m.rowid) < (?, ?)",
            (conversation_id, before[0], before[1], int(limit)),
            order,
        )
    items.reverse()
    return items


def thread_window(
    conn: sqlite3.Connection, rowid: int, before: int = 50, after: int = 50
) -> tuple[list[Message], int]:
    """The messages around ``rowid`` in its conversation, and the index of ``rowid`` in them.

    Returns ``([], -1)`` when there is no such message.
    """
    r = conn.execute(
        "SELECT conversation_id, start_ms FROM messages WHERE rowid = ?", (rowid,)
    ).fetchone()
    if r is None:
        return [], -1
    cid, start_ms = str(r[0]), int(r[1])
    older = thread_before(conn, cid, (start_ms, rowid), before)
    rest = thread_after(conn, cid, (start_ms, rowid - 1), after + 1)
    # ``rest`` starts with ``rowid`` itself unless a same-time message with a smaller rowid
    # sorts between; the keyset (start_ms, rowid - 1) excludes exactly the smaller ones.
    items = older + rest
    index = next((i for i, it in enumerate(items) if it.rowid == rowid), -1)
    return items, index


def thread_has_before(conn: sqlite3.Connection, conversation_id: str, key: ThreadKey) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM messages WHERE conversation_id = ? AND (start_ms, rowid) < (?, ?) "
            "LIMIT 1",
            (conversation_id, key[0], key[1]),
        ).fetchone()
        is not None
    )


def thread_has_after(conn: sqlite3.Connection, conversation_id: str, key: ThreadKey) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM messages WHERE conversation_id = ? AND (start_ms, rowid) > (?, ?) "
            "LIMIT 1",
            (conversation_id, key[0], key[1]),
        ).fetchone()
        is not None
    )


# -- positions --------------------------------------------------------------------------------


def message_at_or_after(
    conn: sqlite3.Connection, conversation_id: str, start_ms: int
) -> int | None:
    """Rowid of the conversation's first message at or after ``start_ms`` (jump to a date),
    else of its last message; None for an empty conversation. One probe of the index
    ``messages_by_conversation``."""
    r = conn.execute(
        "SELECT rowid FROM messages INDEXED BY messages_by_conversation "
        "WHERE conversation_id = ? AND start_ms >= ? ORDER BY start_ms, rowid LIMIT 1",
        (conversation_id, int(start_ms)),
    ).fetchone()
    if r is None:
        r = conn.execute(
            "SELECT rowid FROM messages INDEXED BY messages_by_conversation "
            "WHERE conversation_id = ? ORDER BY start_ms DESC, rowid DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
    return None if r is None else int(r[0])


def thread_matches(conn: sqlite3.Connection, conversation_id: str, query: str) -> list[ThreadKey]:
    """Every message of the conversation that ``query`` finds, in thread order (find in the
    thread: the keys give the count and "n of m"; pages are read around each).

    Words, ``"phrases"`` and ``prefix*`` as in search (the full-text index); a query with no
    word characters (an emoji, punctuation) is looked for as it is typed in the text."""
    pq = parse_query(query)
    if pq.fts is not None:
        try:
            rows = conn.execute(
                "SELECT m.start_ms, m.rowid FROM messages m INDEXED BY messages_by_conversation "
                "WHERE m.conversation_id = ? AND m.rowid IN "
                "(SELECT rowid FROM message_fts WHERE message_fts MATCH ?) "
                "ORDER BY m.start_ms, m.rowid",
                (conversation_id, pq.fts),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc).lower():
                raise
            rows = []  # a query the tokenizer still rejects finds nothing
    elif query.strip():
        rows = conn.execute(
            "SELECT start_ms, rowid FROM messages INDEXED BY messages_by_conversation "
            "WHERE conversation_id = ? AND (instr(text, ?) > 0 OR instr(subject, ?) > 0) "
            "ORDER BY start_ms, rowid",
            (conversation_id, query.strip(), query.strip()),
        ).fetchall()
    else:
        rows = []
    return [(int(r[0]), int(r[1])) for r in rows]


def locate_message(conn: sqlite3.Connection, message: str | int) -> MessageLocation | None:
    """Where a message lives: by public id (str) or rowid (int)."""
    sql = "SELECT rowid, id, conversation_id, subscriber_id, start_ms FROM messages WHERE "
    if isinstance(message, int):
        r = conn.execute(sql + "rowid = ?", (message,)).fetchone()
    else:
        r = conn.execute(sql + "id = ?", (message,)).fetchone()
    if r is None:
        return None
    return MessageLocation(
        rowid=r[0], id=r[1], conversation_id=r[2], subscriber_id=r[3], start_ms=r[4]
    )


# -- inspector details ------------------------------------------------------------------------


@dataclass(slots=True)
class BatchInfo:
    id: int
    started_ms: int
    finished_ms: int | None
    status: str
    origin: str
    program_version: str


def batch_info(conn: sqlite3.Connection, batch_id: int) -> BatchInfo | None:
    r = conn.execute(
        "SELECT id, started_ms, finished_ms, status, origin, program_version "
        "FROM import_batches WHERE id = ?",
        (batch_id,),
    ).fetchone()
    if r is None:
        return None
    return BatchInfo(
        id=r[0],
        started_ms=r[1],
        finished_ms=r[2],
        status=r[3],
        origin=r[4],
        program_version=r[5],
    )


@dataclass(slots=True)
class Occurrence:
    root: str
    path: str
    sha256: str | None
    index: int
    batch_id: int


def message_occurrences(conn: sqlite3.Connection, rowid: int) -> list[Occurrence]:
    """Every (file, index) the message was seen in, first seen first."""
    rows = conn.execute(
        "SELECT s.root, s.path, s.sha256, o.source_index, s.batch_id FROM occurrences o "
        "JOIN source_files s ON s.id = o.source_file_id WHERE o.message_rowid = ? "
        "ORDER BY s.id, o.source_index",
        (rowid,),
    ).fetchall()
    return [Occurrence(r[0], r[1], r[2], r[3], r[4]) for r in rows]
