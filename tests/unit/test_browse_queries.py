"""store.browse: keyset pages agree with a full ordering; windows around a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from msgcopy_viewer.store import browse
from msgcopy_viewer.store.case import Case
from tests.gui.helpers_browse import BIG, BIG_OTHER, NEEDLE, browse_case, browse_master

__all__ = ["browse_case", "browse_master"]


@pytest.fixture
def case(browse_case) -> Iterator[Case]:
    c = Case.open(browse_case)
    yield c
    c.close()


def _big_cid(case: Case) -> str:
    return case.conn.execute(
        "SELECT id FROM conversations WHERE participants LIKE ?", (f"%{BIG_OTHER}%",)
    ).fetchone()[0]


def test_subscribers_grouped_by_domain(case: Case) -> None:
    subs = browse.list_subscribers(case.conn)
    assert subs and all(s.message_count > 0 for s in subs)
    groups = browse.group_by_domain(subs)
    domains = [d for d, _ in groups]
    assert len(domains) == len(set(domains))
    assert sum(len(g) for _, g in groups) == len(subs)
    total = case.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert sum(s.message_count for s in subs) == total


def test_conversation_pages_match_full_order(case: Case) -> None:
    full = case.conn.execute(
        "SELECT id FROM conversations ORDER BY last_ms DESC, id DESC"
    ).fetchall()
    got: list[str] = []
    after = None
    while True:
        page = browse.conversations_page(case.conn, None, after, 7)
        got += [c.id for c in page]
        if len(page) < 7:
            break
        after = page[-1].sort_key
    assert got == [r[0] for r in full]


def test_conversation_pages_for_subscribers(case: Case) -> None:
    subs = browse.list_subscribers(case.conn)
    ids = [subs[0].id, subs[-1].id]
    page = browse.conversations_page(case.conn, ids, None, 1000)
    assert page and {c.subscriber_id for c in page} <= set(ids)
    assert [c.last_ms for c in page] == sorted((c.last_ms for c in page), reverse=True)
    assert len(page) == browse.conversation_count(case.conn, ids)
    assert browse.conversations_page(case.conn, [], None, 10) == []


def test_thread_pages_both_directions(case: Case) -> None:
    cid = _big_cid(case)
    last = browse.thread_before(case.conn, cid, None, 50)
    assert len(last) == 50
    keys = [m.key for m in last]
    assert keys == sorted(keys)
    older = browse.thread_before(case.conn, cid, last[0].key, 50)
    assert older[-1].key < last[0].key
    first = browse.thread_after(case.conn, cid, None, 50)
    nxt = browse.thread_after(case.conn, cid, first[-1].key, 50)
    assert nxt[0].key > first[-1].key
    # walking forward visits every message exactly once
    seen, after = 0, None
    while page := browse.thread_after(case.conn, cid, after, 97):
        seen += len(page)
        after = page[-1].key
    assert seen == BIG


def test_window_around_message(case: Case) -> None:
    rowid = case.conn.execute(
        "SELECT rowid FROM messages WHERE text LIKE ?", (f"%{NEEDLE}%",)
    ).fetchone()[0]
    items, index = browse.thread_window(case.conn, rowid, 10, 20)
    assert items[index].rowid == rowid
    assert index == 10 and len(items) == 31
    assert browse.thread_has_before(case.conn, items[0].conversation_id, items[0].key)
    assert browse.thread_has_after(case.conn, items[0].conversation_id, items[-1].key)
    assert browse.thread_window(case.conn, 10**9) == ([], -1)
    loc = browse.locate_message(case.conn, items[index].id)
    assert loc is not None and loc.rowid == rowid
    assert browse.locate_message(case.conn, rowid) == loc


def test_mms_items_carry_parts(case: Case) -> None:
    rowid = case.conn.execute(
        "SELECT message_rowid FROM mms_parts WHERE content_type LIKE 'image/%' LIMIT 1"
    ).fetchone()[0]
    items, index = browse.thread_window(case.conn, rowid, 0, 0)
    item = items[index]
    assert item.is_mms and item.images
    assert all(p.kind != "smil" for p in item.attachments)


def test_provenance_helpers(case: Case) -> None:
    rowid = case.conn.execute("SELECT min(rowid) FROM messages").fetchone()[0]
    occ = browse.message_occurrences(case.conn, rowid)
    assert occ and occ[0].sha256 and occ[0].path
    batch = browse.batch_info(case.conn, occ[0].batch_id)
    assert batch is not None and batch.status == "completed"
