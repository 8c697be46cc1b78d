"""Message counts over time, and who talked to whom: the aggregates the charts draw.

The counting is SQL: one ``GROUP BY`` of day numbers, type and direction over the
``messages_timeline`` index (start time, subscriber, type, direction), so a case of a
million messages is counted from the index without reading a message row; a
conversation's counts come through ``messages_by_conversation``. Days are folded into
weeks (starting Monday) or months afterwards — a few thousand rows at most.

Days are calendar days at a fixed UTC offset (``offset_ms``, the offset of the zone the
app shows at the chart's end): around a daylight-saving change a message within an hour
of midnight may be counted in the neighbouring day.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

DAY_MS = 86_400_000
BUCKETS = ("day", "week", "month")
SERIES = ("sms_mo", "sms_mt", "mms_mo", "mms_mt")


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


def _day_start(day: date, offset_ms: int) -> int:
    epoch = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    return int(epoch * 1000) - offset_ms


def _bucket_day(day: date, bucket: str) -> tuple[date, date]:
    if bucket == "day":
        return day, day + timedelta(days=1)
    if bucket == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt


def message_counts(
    conn: sqlite3.Connection,
    *,
    bucket: str = "day",
    subscriber_id: int | None = None,
    conversation_id: str | None = None,
    from_ms: int | None = None,
    to_ms: int | None = None,
    offset_ms: int = 0,
) -> list[TimeBucket]:
    """Counts per ``bucket`` (day, week, month) split by type and direction, oldest first;
    buckets without messages are left out. Scope: the case, a subscriber or a
    conversation; ``from_ms`` inclusive, ``to_ms`` exclusive."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}")
    where: list[str] = []
    args: list[Any] = [int(offset_ms)]
    if conversation_id is not None:
        index = "messages_by_conversation"
        where.append("conversation_id = ?")
        args.append(conversation_id)
    else:
        index = "messages_timeline"
        if subscriber_id is not None:
            where.append("subscriber_id = ?")
            args.append(int(subscriber_id))
    if from_ms is not None:
        where.append("start_ms >= ?")
        args.append(int(from_ms))
    if to_ms is not None:
        where.append("start_ms < ?")
        args.append(int(to_ms))
    sql = (
        f"SELECT (start_ms + ?) / {DAY_MS} AS d, type, direction, count(*) "
        f"FROM messages INDEXED BY {index}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " GROUP BY d, type, direction ORDER BY d"
    )
    out: dict[date, TimeBucket] = {}
    epoch = date(1970, 1, 1)
    for d, kind, direction, n in conn.execute(sql, args):
        series = f"{kind}_{direction}"
        if series not in SERIES:
            continue
        day = epoch + timedelta(days=int(d))
        first, after = _bucket_day(day, bucket)
        b = out.get(first)
        if b is None:
            b = out[first] = TimeBucket(_day_start(first, offset_ms), _day_start(after, offset_ms))
        setattr(b, series, getattr(b, series) + int(n))
    return [out[k] for k in sorted(out)]


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
