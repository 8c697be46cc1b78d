"""Qt-free message search: FTS5 over text, subject, contact names and attachment names,
plus phone numbers and alphanumeric senders.

User input is never passed to FTS5 as syntax. ``build_fts_query`` turns it into a
safe query: every word becomes a quoted string (so ``AND``, ``NEAR``, ``-``, ``:``,
``(`` are just text), a trailing ``*`` is kept as a prefix query and ``"…"`` stays a
phrase. A query that looks like a phone number (three or more digits) also matches
conversation participants (every other party and group sender): its digits by substring,
and the number as threading normalises it (``resources/threading-rule.md``) for each
subscriber in the case, so ``07700900123``, ``+44 7700 900123`` and ``447700900123`` find
the same messages of a UK subscriber. A single word or phrase also matches an
alphanumeric sender (``AMAZON``, or ``AMAZ*`` as a prefix), case-insensitively.

Results come newest first, ``limit`` at a time, with keyset paging on
``(start_ms, rowid)``. Snippets carry ``MARK_START``/``MARK_END`` around hits; the UI
renders them as formatting, never as markup.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from msgcopy_viewer.core.graphemes import ceil_boundary, cut, floor_boundary
from msgcopy_viewer.core.parties import KIND_ALPHA, KIND_NUMBER, normalize_party, subscriber_region
from msgcopy_viewer.store.messages import Message, messages_from_rows, select_sql

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
MIN_PHONE_DIGITS = 3
# Newest-message windows searched before sorting every match (see ``_newest_first``).
WINDOWS = (20_000, 200_000)
SNIPPET_SOURCE = 2000  # characters of a message's text a snippet is looked for in
_LOWEST_ROWID = object()  # placeholder for the lowest rowid an FTS match may have

_WORD_CHARS = re.compile(r"\w", re.UNICODE)
_PHONEISH = re.compile(r"^[\s\d+\-().]+$")


@dataclass(slots=True)
class SearchFilters:
    from_ms: int | None = None  # inclusive
    to_ms: int | None = None  # exclusive
    direction: str | None = None  # "mo" | "mt"
    type: str | None = None  # "sms" | "mms"
    has_attachments: bool = False
    subscriber_ids: Sequence[int] | None = None
    warnings_only: bool = False
    tagged: str | None = None  # a tag's name: only messages carrying it
    has_note: bool = False
    bookmarked: bool = False

    def is_empty(self) -> bool:
        return (
            self.from_ms is None
            and self.to_ms is None
            and self.direction is None
            and self.type is None
            and not self.has_attachments
            and self.subscriber_ids is None
            and not self.warnings_only
            and self.tagged is None
            and not self.has_note
            and not self.bookmarked
        )


@dataclass(slots=True)
class ParsedQuery:
    fts: str | None  # safe FTS5 query, None when the input has no searchable words
    digits: str | None  # phone digits to match by substring, None if none
    terms: list[str] = field(default_factory=list)  # words/phrases as typed (for display)
    tokens: list[tuple[str, bool, bool]] = field(default_factory=list)  # (term, phrase, prefix)
    text: str = ""  # the query as typed (stripped): numbers are normalised from it
    # an alphanumeric sender's key (case-folded) and whether it is a prefix
    alpha: tuple[str, bool] | None = None

    @property
    def empty(self) -> bool:
        return self.fts is None and self.digits is None


@dataclass(slots=True)
class SearchHit:
    """A message that matched, and the snippet to show for it."""

    message: Message
    snippet: str  # with MARK_START/MARK_END around matches

    @property
    def key(self) -> tuple[int, int]:
        return self.message.key


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def tokenize_input(text: str) -> list[tuple[str, bool, bool]]:
    """Split user input into ``(term, is_phrase, is_prefix)``; an open quote runs to the end."""
    out: list[tuple[str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            j = text.find('"', i + 1)
            end = n if j < 0 else j
            phrase = text[i + 1 : end]
            i = end + 1
            prefix = i < n and text[i] == "*"
            if prefix:
                i += 1
            if phrase.strip():
                out.append((phrase.strip(), True, prefix))
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        word = text[i:j]
        i = j
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if word:
            out.append((word, False, prefix))
    return out


def build_fts_query(terms: Sequence[tuple[str, bool, bool]]) -> str | None:
    """A safe FTS5 MATCH expression (implicit AND of quoted strings), or None."""
    parts: list[str] = []
    for term, _phrase, prefix in terms:
        if not _WORD_CHARS.search(term):
            continue  # punctuation only: the tokenizer would produce an empty phrase
        clean = term.replace(MARK_START, "").replace(MARK_END, "").replace("\x00", "")
        parts.append(_quote(clean) + ("*" if prefix else ""))
    return " ".join(parts) if parts else None


def parse_query(text: str) -> ParsedQuery:
    text = (text or "").strip()
    terms = tokenize_input(text)
    digits: str | None = None
    if text and _PHONEISH.match(text):
        d = re.sub(r"\D", "", text)
        if len(d) >= MIN_PHONE_DIGITS:
            digits = d
    alpha: tuple[str, bool] | None = None
    if len(terms) == 1 and digits is None:
        term, _phrase, prefix = terms[0]
        party = normalize_party(term)
        if party.kind == KIND_ALPHA and party.key:
            alpha = (party.key, prefix)
    return ParsedQuery(
        fts=build_fts_query(terms),
        digits=digits,
        terms=[t for t, _p, _x in terms],
        tokens=list(terms),
        text=text,
        alpha=alpha,
    )


def _number_keys(conn: sqlite3.Connection, pq: ParsedQuery) -> list[tuple[str, list[int]]]:
    """``[(E.164 digits, [subscriber id…])…]``: the typed number as threading normalises it
    for each region the case's subscribers are in (``07700900123`` is ``447700900123`` for
    a UK subscriber)."""
    by_region: dict[str, list[int]] = {}
    for sid, mobile in conn.execute("SELECT id, mobile FROM subscribers"):
        by_region.setdefault(subscriber_region(str(mobile)), []).append(int(sid))
    keys: dict[str, list[int]] = {}
    for region, ids in by_region.items():
        party = normalize_party(pq.text, region)
        if party.kind == KIND_NUMBER:
            keys.setdefault(party.key.lstrip("+"), []).extend(ids)
    return [(k, ids) for k, ids in keys.items() if k != pq.digits]


def _filter_sql(f: SearchFilters, where: list[str], args: list[Any]) -> None:
    if f.from_ms is not None:
        where.append("m.start_ms >= ?")
        args.append(int(f.from_ms))
    if f.to_ms is not None:
        where.append("m.start_ms < ?")
        args.append(int(f.to_ms))
    if f.direction in ("mo", "mt"):
        where.append("m.direction = ?")
        args.append(f.direction)
    if f.type in ("sms", "mms"):
        where.append("m.type = ?")
        args.append(f.type)
    if f.has_attachments:
        where.append("m.has_attachments = 1")
    if f.warnings_only:
        where.append("m.warning_count > 0")
    if f.tagged is not None:
        where.append(
            "m.rowid IN (SELECT message_rowid FROM message_tags WHERE tag_id = "
            "(SELECT id FROM tags WHERE name = ?))"
        )
        args.append(f.tagged.strip())
    if f.has_note:
        where.append(
            "m.rowid IN (SELECT CAST(target_id AS INTEGER) FROM notes WHERE target = 'message')"
        )
    if f.bookmarked:
        where.append("m.rowid IN (SELECT message_rowid FROM bookmarks)")
    if f.subscriber_ids is not None:
        ids = [int(s) for s in f.subscriber_ids]
        if not ids:
            where.append("0")
        else:
            where.append(f"m.subscriber_id IN ({','.join('?' * len(ids))})")
            args.extend(ids)


def search(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    filters: SearchFilters | None = None,
    *,
    before: tuple[int, int] | None = None,
    limit: int = 100,
) -> list[SearchHit]:
    """Messages matching ``query`` and ``filters``, newest first, after the keyset ``before``.

    An empty query with filters lists the filtered messages; an empty query without
    filters returns nothing.
    """
    pq = parse_query(query) if isinstance(query, str) else query
    f = filters or SearchFilters()
    if pq.empty and (pq.terms or f.is_empty()):
        return []  # nothing searchable typed (e.g. only punctuation): no results, not all
    where: list[str] = []
    args: list[Any] = []
    match: list[str] = []
    if pq.fts is not None:
        match.append(
            "m.rowid IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ? AND rowid >= ?)"
        )
        args.extend((pq.fts, _LOWEST_ROWID))
    numbers: list[tuple[str, list[int]]] = []
    if pq.digits is not None:
        match.append(
            # participant keys are E.164 digits (or short codes): a digit run can be matched
            # in the JSON list as it is, without stripping formatting row by row
            "m.conversation_id IN (SELECT id FROM conversations "
            "WHERE instr(participant_keys, ?) > 0)"
        )
        args.append(pq.digits)
        numbers = _number_keys(conn, pq)
        for key, ids in numbers:
            match.append(
                "m.conversation_id IN (SELECT id FROM conversations WHERE subscriber_id IN "
                f"({','.join('?' * len(ids))}) AND instr(participant_keys, ?) > 0)"
            )
            args.extend([*ids, key])
    if pq.alpha is not None:
        key, prefix = pq.alpha
        # keys are stored as a JSON list: '"amazon"' is the whole key, '"amaz' a prefix
        needle = json.dumps(key, ensure_ascii=False)
        match.append(
            "m.conversation_id IN (SELECT id FROM conversations "
            "WHERE instr(participant_keys, ?) > 0)"
        )
        args.append(needle[:-1] if prefix else needle)
    if match:
        where.append("(" + " OR ".join(match) + ")")
    _filter_sql(f, where, args)
    if before is not None:
        where.append("(m.start_ms, m.rowid) < (?, ?)")
        args.extend((int(before[0]), int(before[1])))
    try:
        rows = _newest_first(conn, where, args, int(limit), before)
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():
            return []  # a query the tokenizer still rejects: no results, never a crash
        raise
    messages = messages_from_rows(conn, rows)
    hits = [
        SearchHit(m, _plain_snippet(m.text[:SNIPPET_SOURCE] or m.subject or "")) for m in messages
    ]
    if pq.fts is not None and hits:
        _add_snippets(pq.tokens, hits, [m.text[:SNIPPET_SOURCE] for m in messages])
    if pq.alpha is not None:
        for h in hits:
            if MARK_START not in h.snippet:
                h.snippet = _mark_sender(h, *pq.alpha)
    if pq.digits is not None:
        wanted = [pq.digits, *(k for k, _ids in numbers)]
        for h in hits:
            if MARK_START not in h.snippet:
                h.snippet = _mark_digits(h, wanted)
    return hits


def _window_start(
    conn: sqlite3.Connection, before: tuple[int, int] | None, size: int
) -> int | None:
    """``start_ms`` of the ``size``-th newest message (older than ``before``), None when
    there are fewer. An index-only walk of ``messages_by_time``."""
    if before is None:
        r = conn.execute(
            "SELECT start_ms FROM messages INDEXED BY messages_by_time "
            "ORDER BY start_ms DESC LIMIT 1 OFFSET ?",
            (size - 1,),
        ).fetchone()
    else:
        r = conn.execute(
            "SELECT start_ms FROM messages INDEXED BY messages_by_time WHERE start_ms <= ? "
            "ORDER BY start_ms DESC LIMIT 1 OFFSET ?",
            (int(before[0]), size - 1),
        ).fetchone()
    return None if r is None else int(r[0])


def _newest_first(
    conn: sqlite3.Connection,
    where: list[str],
    args: list[Any],
    limit: int,
    before: tuple[int, int] | None,
) -> list[Any]:
    """The newest ``limit`` rows matching ``where``.

    Ordering every match by time is the slow spot for a common word (half a million
    matches, each looked up to read its time). The matches are first sought among the
    newest ``WINDOWS[0]`` messages (a range of the time index; the match set is probed,
    not sorted); if that window holds ``limit`` matches they are exactly the newest ones
    (everything outside is older). A window that found a fair number but not enough is
    widened once; otherwise (rare words, few matches) all matches are sorted, which is
    cheap because there are few of them.
    """
    order = " ORDER BY m.start_ms DESC, m.rowid DESC LIMIT ?"
    if where:
        for n, size in enumerate(WINDOWS):
            start = _window_start(conn, before, size)
            if start is None:
                break
            # The FTS match set is limited to rowids the window can hold: when messages were
            # imported roughly in time order that skips most of a common word's matches.
            low = conn.execute(
                "SELECT min(rowid) FROM messages INDEXED BY messages_by_time WHERE start_ms >= ?",
                (start,),
            ).fetchone()[0]
            window_args = [low or 0 if a is _LOWEST_ROWID else a for a in args]
            sql = (
                select_sql(indexed_by="messages_by_time")
                + " WHERE m.start_ms >= ? AND "
                + " AND ".join(where)
                + order
            )
            rows = conn.execute(sql, [start, *window_args, limit]).fetchall()
            if len(rows) >= limit:
                return rows
            if n + 1 < len(WINDOWS) and len(rows) * WINDOWS[n + 1] < limit * size:
                break  # too sparse for the wider window to fill a page: sort all matches
    sql = select_sql() + (" WHERE " + " AND ".join(where) if where else "") + order
    return conn.execute(sql, [0 if a is _LOWEST_ROWID else a for a in args] + [limit]).fetchall()


def _plain_snippet(text: str) -> str:
    text = strip_marks(" ".join(text.split()))
    return text if len(text) <= 120 else text[: cut(text, 0, 119)[1]] + ELLIPSIS


def strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def match_pattern(query: str) -> re.Pattern[str] | None:
    """What ``query`` matches in a message's text (to highlight it), by the rules of search
    and of ``browse.thread_matches``: its words, or the text as typed when it has none."""
    pattern = _term_pattern(parse_query(query).tokens)
    if pattern is None and query.strip():
        pattern = re.compile(re.escape(query.strip()))
    return pattern


def _term_pattern(tokens: Sequence[tuple[str, bool, bool]]) -> re.Pattern[str] | None:
    alts = []
    for term, _phrase, prefix in tokens:
        words = [re.escape(w) for w in term.split() if _WORD_CHARS.search(w)]
        if not words:
            continue
        body = r"\W+".join(words)
        alts.append(rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)"))
    return re.compile("|".join(alts), re.IGNORECASE) if alts else None


def _add_snippets(
    tokens: Sequence[tuple[str, bool, bool]], hits: list[SearchHit], texts: list[str]
) -> None:
    """Mark the query's words in each hit's text, around the first match.

    Done here rather than with FTS5 ``snippet()``: that re-runs the MATCH for every row,
    which costs seconds for a short prefix such as ``pa*`` in a large case. A hit whose
    words matched only the subject or a contact name keeps its plain snippet."""
    pattern = _term_pattern(tokens)
    if pattern is None:
        return
    for hit, raw in zip(hits, texts, strict=True):
        text = " ".join(strip_marks(raw).split())
        first = pattern.search(text)
        lead = ""
        if first is None and hit.message.subject:
            text = " ".join(strip_marks(hit.message.subject).split())
            first = pattern.search(text)
        if first is None:
            # found by an attachment's name: show that name
            for name in hit.message.attachment_names.split("\n"):
                text = " ".join(strip_marks(name).split())
                first = pattern.search(text)
                if first is not None:
                    lead = "Attachment: "
                    break
        if first is None:
            continue
        start = max(0, first.start() - 16)  # little lead-in: result lists are narrow
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first.start() else start
        # never split a character as the reader sees it (an emoji ZWJ sequence, a letter
        # and its combining accent): the window and each mark sit on cluster boundaries
        start, end = cut(text, start, start + 120)
        start = min(start, floor_boundary(text, first.start()))
        hit.snippet = (
            lead
            + (ELLIPSIS if start else "")
            + _mark(text, pattern, start, end)
            + (ELLIPSIS if end < len(text) else "")
        )


def _mark(text: str, pattern: re.Pattern[str], start: int, end: int) -> str:
    """``text[start:end]`` with every match of ``pattern`` marked, each mark widened to
    whole grapheme clusters (``cafe`` found in ``cafe\u0301`` marks the accent too)."""
    out: list[str] = []
    pos = start
    for m in pattern.finditer(text, start, end):
        a = max(pos, floor_boundary(text, m.start()))
        b = min(end, ceil_boundary(text, m.end()))
        if b <= a:
            continue
        out.append(text[pos:a])
        out.append(MARK_START + text[a:b] + MARK_END)
        pos = b
    out.append(text[pos:end])
    return "".join(out)


def _mark_sender(hit: SearchHit, key: str, prefix: bool) -> str:
    """For an alphanumeric sender match: name the sender, marked, before the snippet."""
    for p in hit.message.participants:
        k = normalize_party(p).key
        if k == key or (prefix and k.startswith(key)):
            return f"{MARK_START}{p}{MARK_END}: {strip_marks(hit.snippet)}"
    return hit.snippet


def _mark_digits(hit: SearchHit, wanted: Sequence[str]) -> str:
    """For a phone match: name the matching participant, its digits marked."""
    m = hit.message
    for p in [*m.participants, m.other_party, m.sender or ""]:
        plain = re.sub(r"\D", "", p)
        found = [(plain.find(d), d) for d in wanted if d and d in plain]
        if not found:
            continue
        pos, digits = found[0]
        # map digit positions back onto the display form
        idx = [i for i, ch in enumerate(p) if ch.isdigit()]
        start, end = idx[pos], idx[pos + len(digits) - 1] + 1
        marked = p[:start] + MARK_START + p[start:end] + MARK_END + p[end:]
        return f"{marked}: {strip_marks(hit.snippet)}" if hit.snippet else marked
    return hit.snippet


def split_marked(snippet: str) -> list[tuple[str, bool]]:
    """``[(text, highlighted)…]`` from a snippet with marks; for safe rendering."""
    out: list[tuple[str, bool]] = []
    buf: list[str] = []
    on = False
    for ch in snippet:
        if ch in (MARK_START, MARK_END):
            if buf:
                out.append(("".join(buf), on))
                buf = []
            on = ch == MARK_START
        else:
            buf.append(ch)
    if buf:
        out.append(("".join(buf), on))
    return out
