"""Message counts over time, and who talked to whom: the aggregates the charts draw.

The counting is SQL, and reads no message row for the case or a subscriber: the bucket
boundaries (days, weeks from Monday, or months, cut at midnight in the zone shown, so a
day of a daylight-saving change has 23 or 25 hours) go to SQLite as a JSON list, and for
each bucket and each of SMS/MMS × sent/received a ``count(*)`` runs over a range of the
``messages_timeline`` index (type, direction, start time, subscriber). That is one pass
over the index entries in range, without the sort a ``GROUP BY`` of computed day numbers
needs (four times slower on a million messages). A conversation's counts come through
``messages_by_conversation`` (its rows are read once, for their type and direction).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

DAY_MS = 86_400_000
BUCKETS = ("day", "week", "month")
SERIES = ("sms_mo", "sms_mt", "mms_mo", "mms_mt")
MAX_BUCKETS = 20_000  # a case spanning more (bogus dates) is drawn in weeks or months


class TooManyBuckets(ValueError):
    """The range holds more than ``MAX_BUCKETS`` buckets of the size asked for."""


@dataclass(slots=True)
class TimeBucket:
    start_ms: int  # first instant of the bucket (UTC ms)
    end_ms: int  # first instant after it
    sms_mo: int = 0
    sms_mt: int = 0
    mms_mo: int = 0
    mms_mt: int = 0

    @property
    def total(self) -> int:
        return self.sms_mo + self.sms_mt + self.mms_mo + self.mms_mt

    def count(self, series: str) -> int:
        return int(getattr(self, series))


def _local_start(day: date, zone: tzinfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * 1000)


def _first_day(ms: int, bucket: str, zone: tzinfo) -> date:
    day = datetime.fromtimestamp(ms / 1000, zone).date()
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _next_day(day: date, bucket: str) -> date:
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return day + timedelta(days=7)
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def bucket_bounds(first_ms: int, last_ms: int, bucket: str, zone: tzinfo = UTC) -> list[int]:
    """Boundaries (UTC ms) of the buckets from the one holding ``first_ms`` to the one
    holding ``last_ms``: n + 1 values for n buckets."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}")
    day = _first_day(first_ms, bucket, zone)
    out = [_local_start(day, zone)]
    while out[-1] <= last_ms:
        day = _next_day(day, bucket)
        out.append(_local_start(day, zone))
        if len(out) > MAX_BUCKETS + 1:
            raise TooManyBuckets(f"more than {MAX_BUCKETS} {bucket}s: choose a larger bucket")
    return out


def _span(
    conn: sqlite3.Connection, subscriber_id: int | None, conversation_id: str | None
) -> tuple[int, int] | None:
    if conversation_id is not None:
        r = conn.execute(
            "SELECT min(start_ms), max(start_ms) FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
    elif subscriber_id is not None:
        r = conn.execute(
            "SELECT first_ms, last_ms FROM subscribers WHERE id = ?", (int(subscriber_id),)
        ).fetchone()
    else:
        r = conn.execute("SELECT min(start_ms), max(start_ms) FROM messages").fetchone()
    if r is None or r[0] is None or r[1] is None:
        return None
    return int(r[0]), int(r[1])


_BOUNDS = "WITH b(lo, hi) AS (SELECT value, lead(value) OVER (ORDER BY key) FROM json_each(?)) "


def message_counts(
    conn: sqlite3.Connection,
    *,
    bucket: str = "day",
    subscriber_id: int | None = None,
    conversation_id: str | None = None,
    from_ms: int | None = None,
    to_ms: int | None = None,
    zone: tzinfo = UTC,
) -> list[TimeBucket]:
    """Counts per ``bucket`` (day, week, month in ``zone``) split by type and direction,
    oldest first, every bucket from the first message's to the last's (empty ones
    included). Scope: the case, a subscriber or a conversation; ``from_ms`` inclusive,
    ``to_ms`` exclusive."""
    span = _span(conn, subscriber_id, conversation_id)
    if span is None:
        return []
    first, last = span
    if from_ms is not None:
        first = max(first, int(from_ms))
    if to_ms is not None:
        last = min(last, int(to_ms) - 1)
    if first > last:
        return []
    bounds = bucket_bounds(first, last, bucket, zone)
    lo_ms = int(from_ms) if from_ms is not None else bounds[0]
    hi_ms = int(to_ms) if to_ms is not None else bounds[-1]
    args: list[Any] = [json.dumps(bounds)]
    if conversation_id is not None:
        sql = (
            _BOUNDS + "SELECT b.lo, b.hi, (SELECT json_array("
            "sum(type = 'sms' AND direction = 'mo'), sum(type = 'sms' AND direction = 'mt'), "
            "sum(type = 'mms' AND direction = 'mo'), sum(type = 'mms' AND direction = 'mt')) "
            "FROM messages INDEXED BY messages_by_conversation WHERE conversation_id = ? "
            "AND start_ms >= max(b.lo, ?) AND start_ms < min(b.hi, ?)) "
            "FROM b WHERE b.hi IS NOT NULL"
        )
        args += [conversation_id, lo_ms, hi_ms]
        rows = [
            (lo, hi, json.loads(packed) if packed else [0, 0, 0, 0])
            for lo, hi, packed in conn.execute(sql, args)
        ]
    else:
        sub = "AND subscriber_id = ? " if subscriber_id is not None else ""
        one = (
            "(SELECT count(*) FROM messages INDEXED BY messages_timeline WHERE type = '{t}' "
            "AND direction = '{d}' AND start_ms >= max(b.lo, ?) AND start_ms < min(b.hi, ?) "
            + sub
            + ")"
        )
        cols = ", ".join(one.format(t=s[:3], d=s[4:]) for s in SERIES)
        sql = _BOUNDS + f"SELECT b.lo, b.hi, {cols} FROM b WHERE b.hi IS NOT NULL"
        for _ in SERIES:
            args += [lo_ms, hi_ms] + ([int(subscriber_id)] if subscriber_id is not None else [])
        rows = [(r[0], r[1], r[2:]) for r in conn.execute(sql, args)]
    out: list[TimeBucket] = []
    for lo, hi, counts in rows:
        values = [int(v or 0) for v in counts]
        out.append(TimeBucket(int(lo), int(hi), *values))
    return out


# -- who talked to whom ---------------------------------------------------------------------


@dataclass(slots=True)
class GraphNode:
    key: str  # subscriber key or party key
    label: str  # the number as shown
    is_subscriber: bool
    messages: int = 0


@dataclass(slots=True)
class GraphEdge:
    subscriber: str  # node key
    party: str  # node key
    messages: int
    conversations: list[str] = field(default_factory=list)  # busiest first


@dataclass(slots=True)
class ContactGraph:
    nodes: dict[str, GraphNode]
    edges: list[GraphEdge]
    dropped_edges: int  # edges beyond ``max_edges`` (the least busy ones)


def contact_graph(
    conn: sqlite3.Connection,
    *,
    subscriber_ids: list[int] | None = None,
    from_ms: int | None = None,
    to_ms: int | None = None,
    max_edges: int = 80,
) -> ContactGraph:
    """Subscribers and the parties they exchanged messages with, an edge per pair with the
    message count (a group conversation counts for each of its participants). Without a
    time range the counts come from the conversations table; with one, from a ``GROUP BY``
    of the messages in range."""
    where: list[str] = []
    args: list[Any] = []
    if subscriber_ids is not None:
        if not subscriber_ids:
            return ContactGraph({}, [], 0)
        where.append(f"c.subscriber_id IN ({','.join('?' * len(subscriber_ids))})")
        args.extend(int(s) for s in subscriber_ids)
    if from_ms is None and to_ms is None:
        sql = (
            "SELECT c.id, c.participants, c.participant_keys, c.message_count, sub.key, "
            "sub.mobile FROM conversations c JOIN subscribers sub ON sub.id = c.subscriber_id"
            + (" WHERE " + " AND ".join(where) if where else "")
        )
    else:
        rng: list[str] = []
        if from_ms is not None:
            rng.append("start_ms >= ?")
        if to_ms is not None:
            rng.append("start_ms < ?")
        range_args = [int(v) for v in (from_ms, to_ms) if v is not None]
        sql = (
            "SELECT c.id, c.participants, c.participant_keys, n.cnt, sub.key, sub.mobile FROM "
            "(SELECT conversation_id, count(*) AS cnt FROM messages "
            f"WHERE {' AND '.join(rng)} GROUP BY conversation_id) n "
            "JOIN conversations c ON c.id = n.conversation_id "
            "JOIN subscribers sub ON sub.id = c.subscriber_id"
            + (" WHERE " + " AND ".join(where) if where else "")
        )
        args = range_args + args
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str], GraphEdge] = {}
    convs: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for cid, parts_json, keys_json, count, sub_key, sub_mobile in conn.execute(sql, args):
        n = int(count or 0)
        if n <= 0:
            continue
        try:
            shown = [str(p) for p in json.loads(parts_json)]
            keys = [str(k) for k in json.loads(keys_json)]
        except (TypeError, ValueError):
            continue
        sub = nodes.setdefault(sub_key, GraphNode(sub_key, sub_mobile, True))
        sub.messages += n
        for key, label in zip(keys, shown + keys[len(shown) :], strict=False):
            if key == sub_key:
                continue
            node = nodes.setdefault(key, GraphNode(key, label, False))
            node.messages += n
            pair = (sub_key, key)
            e = edges.setdefault(pair, GraphEdge(sub_key, key, 0))
            e.messages += n
            convs.setdefault(pair, []).append((n, str(cid)))
    ordered = sorted(edges.values(), key=lambda e: (-e.messages, e.subscriber, e.party))
    kept = ordered[:max_edges]
    for e in kept:
        e.conversations = [c for _n, c in sorted(convs[(e.subscriber, e.party)], reverse=True)]
    used = {e.subscriber for e in kept} | {e.party for e in kept}
    return ContactGraph(
        {k: v for k, v in nodes.items() if k in used}, kept, len(ordered) - len(kept)
    )
