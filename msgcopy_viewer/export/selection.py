"""Which messages a report covers: one selection for every format, the CLI and the dialog.

A ``Selection`` is what the user asked for, in their words (conversation ids, a subscriber's
number, dates in a time zone, a search query, message ids). ``resolve`` checks it against
the case and turns it into the store's ``MessageFilter``; every report then reads the
messages through ``iter_filtered`` (export order: start time, then id). Each part that is
given narrows the selection; nothing given means the whole case.
"""

from __future__ import annotations

import re
import sqlite3
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.parties import normalize_subscriber
from msgcopy_viewer.store.annotations import AnnotationError, require_tag
from msgcopy_viewer.store.browse import conversation_exists, list_subscribers
from msgcopy_viewer.store.messages import (
    ConversationSpan,
    Message,
    MessageFilter,
    conversation_spans,
    count_filtered,
    iter_filtered,
    rowids_for_ids,
)
from msgcopy_viewer.store.search import SearchFilters, search

SEARCH_PAGE = 1000


class SelectionError(ValueError):
    """The selection cannot be made; ``str()`` says why in plain words."""


@dataclass(frozen=True, slots=True)
class Selection:
    """What to export, as the user gave it."""

    conversations: tuple[str, ...] = ()
    subscriber: str | None = None  # a subscriber's number, as typed
    date_from: str | None = None  # YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], in ``tz``
    date_to: str | None = None  # inclusive: a date means the whole of that day
    tz: str = "UTC"  # IANA zone name: for the dates above and for the reports' times
    query: str | None = None  # search words, as in the app's search
    message_ids: tuple[str, ...] = ()  # public message ids
    rowids: tuple[int, ...] = ()  # chosen messages by rowid (the app's selection)
    # the app's search filters (direction, type, attachments, warnings …) that go with
    # ``query``: "export the current search results" exports exactly what the search shows
    search_filters: SearchFilters | None = None
    tagged: str | None = None  # the name of a tag: exactly the messages carrying it

    @property
    def is_whole_case(self) -> bool:
        return not (
            self.conversations
            or self.subscriber
            or self.date_from
            or self.date_to
            or self.query
            or self.message_ids
            or self.rowids
            or self.tagged
            or (self.search_filters is not None and not self.search_filters.is_empty())
        )

    def describe(self) -> str:
        """One line for report headers: ``conversation 1a2b…; from 2024-01-01 (UTC)``."""
        if self.is_whole_case:
            return "whole case"
        bits: list[str] = []
        if self.conversations:
            bits.append(
                ("conversation " if len(self.conversations) == 1 else "conversations ")
                + ", ".join(self.conversations)
            )
        if self.subscriber:
            bits.append(f"subscriber {self.subscriber}")
        if self.date_from:
            bits.append(f"from {self.date_from}")
        if self.date_to:
            bits.append(f"to {self.date_to}")
        if self.date_from or self.date_to:
            bits.append(f"dates in {self.tz}")
        if self.query:
            bits.append(f"search {self.query!r}")
        if self.search_filters is not None and not self.search_filters.is_empty():
            f = self.search_filters
            named = [f"tagged {f.tagged!r}"] if f.tagged is not None else []
            named += ["with a note"] if f.has_note else []
            named += ["bookmarked"] if f.bookmarked else []
            bits.append("with the search's filters" + (f" ({', '.join(named)})" if named else ""))
        if self.tagged:
            bits.append(f"tagged {self.tagged!r}")
        n = len(self.message_ids) + len(self.rowids)
        if n:
            bits.append(f"{n} chosen message{'s' if n != 1 else ''}")
        return "; ".join(bits)

    def to_json(self) -> dict[str, Any]:
        return {
            "whole_case": self.is_whole_case,
            "conversations": list(self.conversations),
            "subscriber": self.subscriber,
            "from": self.date_from,
            "to": self.date_to,
            "time_zone": self.tz,
            "query": self.query,
            "search_filters": _filters_json(self.search_filters),
            "message_ids": list(self.message_ids),
            "chosen_rowids": len(self.rowids),
            "tagged": self.tagged,
            "description": self.describe(),
        }


@dataclass(slots=True)
class ResolvedSelection:
    """A selection checked against a case: the store filter that reads it."""

    selection: Selection
    filter: MessageFilter
    zone: tzinfo
    from_ms: int | None = None
    to_ms: int | None = None
    _count: int | None = field(default=None, repr=False)

    def count(self, conn: sqlite3.Connection) -> int:
        if self._count is None:
            self._count = count_filtered(conn, self.filter)
        return self._count

    def messages(self, conn: sqlite3.Connection, *, raw: bool = False) -> Iterator[Message]:
        return iter_filtered(conn, self.filter, raw=raw)

    def conversation_messages(
        self, conn: sqlite3.Connection, conversation_id: str
    ) -> Iterator[Message]:
        return iter_filtered(conn, self.filter.narrowed(conversation_id))

    def conversations(self, conn: sqlite3.Connection) -> list[ConversationSpan]:
        return conversation_spans(conn, self.filter)

    def media_filter(self) -> MessageFilter:
        return MessageFilter(
            conversation_ids=self.filter.conversation_ids,
            subscriber_ids=self.filter.subscriber_ids,
            from_ms=self.filter.from_ms,
            to_ms=self.filter.to_ms,
            rowids=self.filter.rowids,
            mms_only=True,
        )


def zone_named(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SelectionError(
            f"unknown time zone {name!r} (give an IANA name such as Europe/London, or UTC)"
        ) from None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_bound(text: str, zone: tzinfo, *, end: bool) -> int:
    """Milliseconds for a date or date-time in ``zone``. A plain date as an end bound
    means the whole day (the returned bound is exclusive)."""
    value = text.strip()
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            if end:
                day += timedelta(days=1)
            moment = datetime(day.year, day.month, day.day, tzinfo=zone)
        else:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
            moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
            if end:
                moment += timedelta(milliseconds=1)
    except ValueError:
        raise SelectionError(
            f"cannot read the date {text!r}: give YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"
        ) from None
    return int(moment.timestamp() * 1000)


def _subscriber_ids(conn: sqlite3.Connection, number: str) -> tuple[int, ...]:
    key = normalize_subscriber(number).key
    digits = re.sub(r"\D", "", number)
    found = [
        s.id
        for s in list_subscribers(conn)
        if s.key == key or s.mobile == number or (digits and re.sub(r"\D", "", s.mobile) == digits)
    ]
    if not found:
        raise SelectionError(f"no subscriber {number} in this case")
    return tuple(found)


def _search_rowids(conn: sqlite3.Connection, query: str, filters: SearchFilters) -> tuple[int, ...]:
    """Every message the app's search finds for ``query`` (rowids only: flat memory)."""
    rowids: list[int] = []
    before: tuple[int, int] | None = None
    while True:
        hits = search(conn, query, filters, before=before, limit=SEARCH_PAGE)
        if not hits:
            break
        rowids.extend(h.message.rowid for h in hits)
        before = hits[-1].key
        if len(hits) < SEARCH_PAGE:
            break
    return tuple(rowids)


def _narrower(a: int | None, b: int | None, pick: Callable[[int, int], int]) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)


def _filters_json(f: SearchFilters | None) -> dict[str, Any] | None:
    if f is None or f.is_empty():
        return None
    return {
        "from": None if f.from_ms is None else format_utc_ms(f.from_ms),
        "to_exclusive": None if f.to_ms is None else format_utc_ms(f.to_ms),
        "direction": f.direction,
        "type": f.type,
        "has_attachments": f.has_attachments,
        "warnings_only": f.warnings_only,
        "subscriber_ids": None if f.subscriber_ids is None else list(f.subscriber_ids),
        "tagged": f.tagged,
        "has_note": f.has_note,
        "bookmarked": f.bookmarked,
    }


def resolve(conn: sqlite3.Connection, sel: Selection) -> ResolvedSelection:
    """Check ``sel`` against the case; raise ``SelectionError`` naming what is wrong."""
    zone = zone_named(sel.tz)
    for cid in sel.conversations:
        if not conversation_exists(conn, cid):
            raise SelectionError(f"no conversation {cid} in this case")
    subscriber_ids = _subscriber_ids(conn, sel.subscriber) if sel.subscriber else None
    from_ms = parse_bound(sel.date_from, zone, end=False) if sel.date_from else None
    to_ms = parse_bound(sel.date_to, zone, end=True) if sel.date_to else None
    if from_ms is not None and to_ms is not None and from_ms >= to_ms:
        raise SelectionError(f"the date range is empty: {sel.date_from} is after {sel.date_to}")
    rowids: list[int] | None = None
    if sel.message_ids or sel.rowids:
        found = rowids_for_ids(conn, sel.message_ids)
        missing = [i for i in sel.message_ids if i not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise SelectionError(f"no message {shown} in this case")
        rowids = sorted(set(found.values()) | {int(r) for r in sel.rowids})
    searching = sel.search_filters is not None and not sel.search_filters.is_empty()
    if (sel.query is not None and sel.query.strip()) or searching:
        base = sel.search_filters or SearchFilters()
        filters = replace(
            base,
            from_ms=_narrower(base.from_ms, from_ms, max),
            to_ms=_narrower(base.to_ms, to_ms, min),
            subscriber_ids=subscriber_ids if subscriber_ids is not None else base.subscriber_ids,
        )
        hits = _search_rowids(conn, sel.query or "", filters)
        if rowids is None:
            rowids = sorted(hits)
        else:
            keep = set(hits)
            rowids = [r for r in rowids if r in keep]
    elif sel.query is not None:
        raise SelectionError("the search query is empty")
    tag_id: int | None = None
    if sel.tagged is not None:
        try:
            tag_id = require_tag(conn, sel.tagged).id
        except AnnotationError as exc:
            raise SelectionError(str(exc)) from exc
    flt = MessageFilter(
        tag_id=tag_id,
        conversation_ids=tuple(sel.conversations) or None,
        subscriber_ids=subscriber_ids,
        from_ms=from_ms,
        to_ms=to_ms,
        rowids=tuple(rowids) if rowids is not None else None,
    )
    return ResolvedSelection(sel, flt, zone, from_ms, to_ms)


def format_in_zone(ms: int, zone: tzinfo) -> str:
    """``2024-09-16 14:30:39 CDT`` (seconds; the zone's abbreviation or offset)."""
    moment = datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone)
    abbr = moment.tzname() or moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + abbr


def format_utc(ms: int) -> str:
    return format_utc_ms(ms)


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or "UTC"


def selection_from_args(
    conversations: Sequence[str] | None,
    subscriber: str | None,
    date_from: str | None,
    date_to: str | None,
    tz: str | None,
    query: str | None,
    message_ids: Sequence[str] | None = None,
    tagged: str | None = None,
) -> Selection:
    return Selection(
        conversations=tuple(conversations or ()),
        subscriber=subscriber,
        date_from=date_from,
        date_to=date_to,
        tz=tz or "UTC",
        query=query,
        message_ids=tuple(message_ids or ()),
        tagged=tagged,
    )
