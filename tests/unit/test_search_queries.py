"""store.search: safe FTS queries, phrase/prefix, phone digits, filters, keyset paging."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgcopy_viewer.store import search as S
from msgcopy_viewer.store.case import Case
from tests.gui.helpers_browse import BIG_OTHER, NEEDLE, browse_case, browse_master

__all__ = ["browse_case", "browse_master"]


@pytest.fixture
def case(browse_case) -> Iterator[Case]:
    c = Case.open(browse_case)
    yield c
    c.close()


def test_user_text_is_quoted() -> None:
    assert S.parse_query("hello world").fts == '"hello" "world"'
    assert S.parse_query("tick*").fts == '"tick"*'
    assert S.parse_query('"see you" soon').fts == '"see you" "soon"'
    assert S.parse_query('say "a""b').fts == '"say" "a" "b"'
    assert S.parse_query("AND OR NOT").fts == '"AND" "OR" "NOT"'
    assert S.parse_query("NEAR(a b) col:x -y").fts == '"NEAR(a" "b)" "col:x" "-y"'
    assert S.parse_query("( ) * ").empty
    assert S.parse_query('"unterminated phrase').fts == '"unterminated phrase"'


def test_phone_digits() -> None:
    assert S.parse_query("+1 (214) 555").digits == "1214555"
    assert S.parse_query("55").digits is None
    assert S.parse_query("call 555").digits is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_input_is_safe_fts(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('hello world')")
    q = S.parse_query(text)
    if q.fts is not None:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (q.fts,)).fetchall()


def test_search_word_prefix_phrase(case: Case) -> None:
    hits = S.search(case.conn, NEEDLE)
    assert len(hits) == 1
    assert S.MARK_START + NEEDLE + S.MARK_END in hits[0].snippet
    assert S.search(case.conn, NEEDLE[:6] + "*")[0].message.rowid == hits[0].message.rowid
    assert S.search(case.conn, f'"{NEEDLE} is in"')[0].message.rowid == hits[0].message.rowid
    assert S.search(case.conn, f'"{NEEDLE} in is"') == []
    assert S.search(case.conn, "(") == []
    assert S.search(case.conn, "") == []


def test_search_digits_match_numbers(case: Case) -> None:
    hits = S.search(case.conn, BIG_OTHER[-7:], limit=500)
    assert hits and all(BIG_OTHER in "".join(h.message.participants).replace("+", "") for h in hits)
    assert S.MARK_START in hits[0].snippet


def test_results_newest_first_and_keyset(case: Case) -> None:
    first = S.search(case.conn, "message", limit=40)
    assert [h.key for h in first] == sorted((h.key for h in first), reverse=True)
    more = S.search(case.conn, "message", before=first[-1].key, limit=40)
    assert more and more[0].key < first[-1].key
    assert not {h.message.rowid for h in first} & {h.message.rowid for h in more}


def test_filters(case: Case) -> None:
    f = S.SearchFilters(direction="mt", type="sms")
    hits = S.search(case.conn, "message", f, limit=200)
    assert hits and all(h.message.direction == "mt" and h.message.type == "sms" for h in hits)
    f = S.SearchFilters(type="mms", has_attachments=True)
    hits = S.search(case.conn, "", f, limit=50)
    assert hits and all(h.message.type == "mms" and h.message.has_attachments for h in hits)
    mid = hits[len(hits) // 2].message.start_ms
    ranged = S.search(case.conn, "", S.SearchFilters(from_ms=mid, type="mms"), limit=500)
    assert ranged and all(h.message.start_ms >= mid for h in ranged)
    sub = hits[0].message.subscriber_id
    scoped = S.search(case.conn, "", S.SearchFilters(subscriber_ids=[sub]), limit=50)
    assert scoped and all(h.message.subscriber_id == sub for h in scoped)
    warned = S.search(case.conn, "", S.SearchFilters(warnings_only=True), limit=50)
    assert all(h.message.warnings for h in warned)


def test_split_marked() -> None:
    s = f"a {S.MARK_START}b<i>{S.MARK_END} c"
    assert S.split_marked(s) == [("a ", False), ("b<i>", True), (" c", False)]


@pytest.mark.parametrize("windows", [(50, 500), (5, 50), (100_000,)])
def test_time_windows_give_the_same_results_as_sorting_all(
    case: Case, monkeypatch: pytest.MonkeyPatch, windows: tuple[int, ...]
) -> None:
    """The newest-first windows (common words) are exact: same rows as sorting every match."""
    queries = ["message", BIG_OTHER[-7:], "mess*", "nosuchwordanywhere"]
    monkeypatch.setattr(S, "WINDOWS", ())
    expected = {q: S.search(case.conn, q, limit=30) for q in queries}
    page2 = S.search(case.conn, "message", before=expected["message"][-1].key, limit=30)
    monkeypatch.setattr(S, "WINDOWS", windows)
    for q in queries:
        assert [h.message.rowid for h in S.search(case.conn, q, limit=30)] == [
            h.message.rowid for h in expected[q]
        ]
    again = S.search(case.conn, "message", before=expected["message"][-1].key, limit=30)
    assert [h.message.rowid for h in again] == [h.message.rowid for h in page2]
    f = S.SearchFilters(type="mms")
    monkeypatch.setattr(S, "WINDOWS", ())
    want = [h.message.rowid for h in S.search(case.conn, "message", f, limit=20)]
    monkeypatch.setattr(S, "WINDOWS", windows)
    assert [h.message.rowid for h in S.search(case.conn, "message", f, limit=20)] == want


def test_snippets_mark_words_prefixes_and_phrases(case: Case) -> None:
    prefix = S.search(case.conn, NEEDLE[:6] + "*")[0]
    assert S.MARK_START + NEEDLE + S.MARK_END in prefix.snippet  # the whole word is marked
    phrase = S.search(case.conn, f'"{NEEDLE} is in"')[0]
    assert S.MARK_START + f"{NEEDLE} is in" + S.MARK_END in phrase.snippet
    upper = S.search(case.conn, NEEDLE.upper())[0]
    assert S.MARK_START + NEEDLE + S.MARK_END in upper.snippet  # matched case-insensitively
