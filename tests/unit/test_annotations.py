"""The workbench store: tags, notes, bookmarks, the audit log, names, timeline, gallery."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from msgcopy_viewer.core.address_book import AddressBookError, read_address_book
from msgcopy_viewer.store import annotations as an
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.gallery import media_page
from msgcopy_viewer.store.messages import load_messages
from msgcopy_viewer.store.names import load_names, set_names
from msgcopy_viewer.store.search import SearchFilters, search
from msgcopy_viewer.store.timeline import (
    DAY_MS,
    TooManyBuckets,
    bucket_bounds,
    contact_graph,
    message_counts,
)
from tests.gui.helpers_browse import BIG, BIG_OTHER, SUB, browse_case, browse_master

__all__ = ["browse_case", "browse_master"]

WHO = "Examiner One"


@pytest.fixture
def case(browse_case) -> Iterator[Case]:
    c = Case.open(browse_case)
    yield c
    c.close()


def _rowids(case: Case, n: int) -> list[int]:
    return [
        r[0] for r in case.conn.execute("SELECT rowid FROM messages ORDER BY rowid LIMIT ?", (n,))
    ]


def _imported_snapshot(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM messages ORDER BY rowid").fetchall()


def test_default_tags_and_tag_list_changes_are_audited(case: Case) -> None:
    names = [t.name for t in an.list_tags(case.conn)]
    assert names == ["Relevant", "Privileged", "Follow up"]
    tag = an.create_tag(case, "  Alibi ", "#00AA00", examiner=WHO)
    assert (tag.name, tag.color) == ("Alibi", "#00aa00")
    with pytest.raises(an.AnnotationError, match="already has"):
        an.create_tag(case, "alibi", "#000000", examiner=WHO)
    with pytest.raises(an.AnnotationError, match="#rrggbb"):
        an.create_tag(case, "Bad", "red", examiner=WHO)
    an.update_tag(case, "Alibi", new_name="Alibi 2", examiner=WHO)
    an.tag_messages(case, _rowids(case, 3), "Alibi 2", examiner=WHO)
    assert an.delete_tag(case, "alibi 2", examiner=WHO) == 3
    actions = [(e.action, e.target) for e in an.audit_log(case.conn)]
    assert actions[0] == ("taglist.create", "tag:Alibi")
    assert actions[1] == ("taglist.update", "tag:Alibi")
    assert [a for a, _t in actions].count("tag.remove") == 3
    assert actions[-1] == ("taglist.delete", "tag:Alibi 2")
    assert all(e.examiner == WHO for e in an.audit_log(case.conn))


def test_tagging_changes_only_its_tables_and_returns_the_change(case: Case) -> None:
    before = _imported_snapshot(case.conn)
    ids = _rowids(case, 10)
    assert an.tag_messages(case, ids[:4], "Relevant", examiner=WHO) == ids[:4]
    # already tagged ones are not changed again (and not logged again)
    assert an.tag_messages(case, ids, "relevant", examiner=WHO) == ids[4:]
    assert an.untag_messages(case, ids[:2] + ids[:2], "Relevant", examiner=WHO) == ids[:2]
    marks = an.marks_for(case.conn, ids)
    assert set(marks) == set(ids[2:])
    assert all([t.name for t in marks[r].tags] == ["Relevant"] for r in ids[2:])
    assert _imported_snapshot(case.conn) == before
    log = an.audit_log(case.conn)
    assert len(log) == 10 + 2
    public = case.conn.execute("SELECT id FROM messages WHERE rowid = ?", (ids[0],)).fetchone()[0]
    first = log[0]
    assert (first.action, first.target, first.before, first.after) == (
        "tag.add",
        f"message:{public}",
        None,
        "Relevant",
    )
    assert (log[-1].action, log[-1].before, log[-1].after) == ("tag.remove", "Relevant", None)
    counts = {c.tag.name: c.messages for c in an.tag_counts(case.conn)}
    assert counts == {"Relevant": 8, "Privileged": 0, "Follow up": 0}


def test_unknown_tag_or_message_changes_nothing(case: Case) -> None:
    with pytest.raises(an.AnnotationError, match=r"no tag .Nope.*Relevant"):
        an.tag_messages(case, _rowids(case, 2), "Nope", examiner=WHO)
    with pytest.raises(an.AnnotationError, match=r"row id 99999999"):
        an.tag_messages(case, [*_rowids(case, 2), 99_999_999], "Relevant", examiner=WHO)
    with pytest.raises(an.AnnotationError, match="examiner"):
        an.tag_messages(case, _rowids(case, 2), "Relevant", examiner="  ")
    assert an.marks_for(case.conn, _rowids(case, 5)) == {}
    assert an.audit_log(case.conn) == []


def test_notes_and_bookmarks(case: Case) -> None:
    a, b = _rowids(case, 2)
    assert an.set_note(case, a, "first look", examiner=WHO) is None
    assert an.set_note(case, a, "second look", examiner=WHO) == "first look"
    assert an.set_note(case, a, "second look", examiner=WHO) == "second look"  # no change
    assert an.get_note(case.conn, a) == "second look"
    assert an.set_bookmarks(case, [a, b], True, examiner=WHO) == [a, b]
    assert an.set_bookmarks(case, [a], True, examiner=WHO) == []
    assert an.set_bookmarks(case, [b], False, examiner=WHO) == [b]
    marks = an.marks_for(case.conn, [a, b])
    assert marks[a] == an.Marks(tags=(), note="second look", bookmarked=True)
    assert b not in marks
    assert an.set_note(case, a, "  ", examiner=WHO) == "second look"  # blank removes
    assert an.get_note(case.conn, a) is None
    log = [(e.action, e.before, e.after) for e in an.audit_log(case.conn)]
    assert log == [
        ("note.set", None, "first look"),
        ("note.set", "first look", "second look"),
        ("bookmark.add", None, "bookmarked"),
        ("bookmark.add", None, "bookmarked"),
        ("bookmark.remove", "bookmarked", None),
        ("note.set", "second look", None),
    ]


def test_conversation_tags_and_notes(case: Case) -> None:
    cid = case.conn.execute("SELECT id FROM conversations LIMIT 1").fetchone()[0]
    assert an.tag_conversation(case, cid, "Privileged", examiner=WHO)
    assert not an.tag_conversation(case, cid, "Privileged", examiner=WHO)
    assert [t.name for t in an.conversation_tags(case.conn, cid)] == ["Privileged"]
    an.set_conversation_note(case, cid, "the main line", examiner=WHO)
    assert an.conversation_note(case.conn, cid) == "the main line"
    assert an.untag_conversation(case, cid, "Privileged", examiner=WHO)
    assert [e.target for e in an.audit_log(case.conn)] == [f"conversation:{cid}"] * 3


def test_a_failed_change_rolls_back_with_its_audit_rows(case: Case) -> None:
    ids = _rowids(case, 3)
    case.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON audit_log WHEN NEW.target LIKE 'message:%' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        an.tag_messages(case, ids, "Relevant", examiner=WHO)
    assert an.marks_for(case.conn, ids) == {}


def test_search_filters_tagged_note_bookmarked(case: Case) -> None:
    ids = _rowids(case, 20)
    an.tag_messages(case, ids[:5], "Follow up", examiner=WHO)
    an.set_note(case, ids[7], "note", examiner=WHO)
    an.set_bookmarks(case, ids[8:10], True, examiner=WHO)
    hits = search(case.conn, "", SearchFilters(tagged="follow up"), limit=100)
    assert sorted(h.message.rowid for h in hits) == ids[:5]
    hits = search(case.conn, "", SearchFilters(has_note=True), limit=100)
    assert [h.message.rowid for h in hits] == [ids[7]]
    hits = search(case.conn, "", SearchFilters(bookmarked=True), limit=100)
    assert sorted(h.message.rowid for h in hits) == ids[8:10]
    assert search(case.conn, "", SearchFilters(tagged="Unknown tag")) == []


def test_tagged_messages_iterate_in_export_order(case: Case) -> None:
    ids = _rowids(case, 30)[::3]
    an.tag_messages(case, ids, "Relevant", examiner=WHO)
    got = list(an.iter_tagged_messages(case.conn, an.require_tag(case.conn, "Relevant")))
    assert sorted(m.rowid for m in got) == sorted(ids)
    assert [(m.start_ms, m.id) for m in got] == sorted((m.start_ms, m.id) for m in got)


# -- names ------------------------------------------------------------------------------------


def test_address_book_csv_any_written_form() -> None:
    data = "number,name\n(214) 555-5273,Alice\n+1 214 555 0000;x\n,nobody\nBANK,Bank\n"
    book = read_address_book(data.encode(), "book.csv")
    assert book.entries == [("(214) 555-5273", "Alice")]
    assert book.problems == [
        "line 3: expected number,name",
        "line 4: expected number,name",
        "line 5: 'BANK' is not a number",
    ]
    with pytest.raises(AddressBookError):
        read_address_book(b"", "empty.csv")


def test_address_book_vcard() -> None:
    vcf = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Example\r\nTEL;TYPE=CELL:+1 (214) 555-0101\r\n"
        "TEL:2145550102\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Phone\r\nEND:VCARD\r\n"
    )
    book = read_address_book(vcf.encode(), "contacts.vcf")
    assert [n for _num, n in book.entries] == ["Bob Example", "Bob Example"]
    assert any("no phone" in p for p in book.problems)


def test_names_match_every_written_form(case: Case) -> None:
    national = f"({BIG_OTHER[1:4]}) {BIG_OTHER[4:7]}-{BIG_OTHER[7:]}"
    result = set_names(
        case,
        [(national, "Alice Big"), ("not a number", "x"), ("12345", "Short code")],
        source="file",
        origin="book.csv",
        examiner=WHO,
    )
    assert (result.added, result.changed) == (2, 0)
    book = load_names(case.conn)
    for form in (BIG_OTHER, "+" + BIG_OTHER, national, "+1 214 555 5273"):
        assert book.name(form) == "Alice Big", form
    assert book.label("+" + BIG_OTHER) == f"Alice Big (+{BIG_OTHER})"
    assert book.label("+19999999999") == "+19999999999"
    entry = book.lookup(BIG_OTHER)
    assert entry is not None and entry.provenance == "imported from the file book.csv"
    again = set_names(
        case, [("+" + BIG_OTHER, "Alice B.")], source="vcard", origin="abc123", examiner=WHO
    )
    assert (again.added, again.changed) == (0, 1)
    e = load_names(case.conn).lookup(BIG_OTHER)
    assert e is not None and e.provenance == "from the vCard in message abc123"
    log = [(x.action, x.target, x.before, x.after) for x in an.audit_log(case.conn)]
    assert log[-1] == ("name.set", f"name:+{BIG_OTHER}", "Alice Big", "Alice B.")


# -- timeline and graph -----------------------------------------------------------------------


def test_timeline_counts_agree_with_the_messages(case: Case) -> None:
    total = case.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    for bucket in ("day", "week", "month"):
        got = message_counts(case.conn, bucket=bucket)
        assert sum(b.total for b in got) == total
        assert all(a.end_ms == b.start_ms for a, b in pairwise(got))
    days = message_counts(case.conn, bucket="day")
    assert all(b.end_ms - b.start_ms == DAY_MS for b in days)  # UTC: every day 24 h
    for b in days[:5] + days[-5:]:
        n = case.conn.execute(
            "SELECT count(*) FROM messages WHERE start_ms >= ? AND start_ms < ?",
            (b.start_ms, b.end_ms),
        ).fetchone()[0]
        assert n == b.total
        mms_mt = case.conn.execute(
            "SELECT count(*) FROM messages WHERE start_ms >= ? AND start_ms < ? "
            "AND type = 'mms' AND direction = 'mt'",
            (b.start_ms, b.end_ms),
        ).fetchone()[0]
        assert mms_mt == b.mms_mt
    months = message_counts(case.conn, bucket="month")
    assert all(datetime.fromtimestamp(b.start_ms / 1000, UTC).day == 1 for b in months)
    weeks = message_counts(case.conn, bucket="week")
    assert all(datetime.fromtimestamp(b.start_ms / 1000, UTC).weekday() == 0 for b in weeks)


def test_timeline_scopes_ranges_and_zones(case: Case) -> None:
    cid, sub_id = case.conn.execute(
        "SELECT id, subscriber_id FROM conversations WHERE participants LIKE ?", (f"%{BIG_OTHER}%",)
    ).fetchone()
    conv = message_counts(case.conn, conversation_id=cid)
    assert sum(b.total for b in conv) == BIG
    assert len(conv) == 8  # ~7 days at 17-minute steps, from midnight
    assert conv[0].sms_mo + conv[0].sms_mt == conv[0].total
    sub_total = case.conn.execute(
        "SELECT message_count FROM subscribers WHERE id = ?", (sub_id,)
    ).fetchone()[0]
    assert sum(b.total for b in message_counts(case.conn, subscriber_id=sub_id)) == sub_total
    first = conv[0].start_ms
    ranged = message_counts(case.conn, conversation_id=cid, from_ms=first, to_ms=first + DAY_MS)
    assert len(ranged) == 1 and ranged[0].total == conv[0].total
    part = message_counts(case.conn, from_ms=first + 3600_000, to_ms=first + 2 * 3600_000)
    assert sum(b.total for b in part) == 4  # 01:00 to 02:00, every 17 minutes
    shifted = message_counts(case.conn, conversation_id=cid, zone=ZoneInfo("Etc/GMT+5"))
    assert sum(b.total for b in shifted) == BIG
    # at UTC-5 the first messages (from 00:00 UTC) fall on the evening before
    assert shifted[0].start_ms == first - DAY_MS + 5 * 3600_000
    assert shifted[0].total == 18  # 00:00 to 05:00 UTC, every 17 minutes


def test_timeline_days_follow_daylight_saving() -> None:
    zone = ZoneInfo("America/New_York")
    start = int(datetime(2024, 3, 9, 12, tzinfo=zone).timestamp() * 1000)
    bounds = bucket_bounds(start, start + 2 * DAY_MS, "day", zone)
    lengths = [(b - a) // 3600_000 for a, b in pairwise(bounds)]
    assert lengths == [24, 23, 24]  # 10 March 2024 has 23 hours in New York
    with pytest.raises(TooManyBuckets):
        bucket_bounds(0, 10**13, "day")


def test_contact_graph(case: Case) -> None:
    g = contact_graph(case.conn)
    assert g.edges and all(e.subscriber in g.nodes and e.party in g.nodes for e in g.edges)
    top = g.edges[0]
    assert top.messages >= max(e.messages for e in g.edges)
    big = next(e for e in g.edges if e.party == "+" + BIG_OTHER)
    assert big.messages >= BIG and g.nodes[big.subscriber].label == SUB
    assert big.conversations
    ranged = contact_graph(case.conn, from_ms=0, to_ms=1)
    assert ranged.edges == []
    assert contact_graph(case.conn, max_edges=1).dropped_edges == len(g.edges) - 1 + g.dropped_edges


# -- gallery ----------------------------------------------------------------------------------


def test_gallery_pages_hold_every_image_and_video(case: Case) -> None:
    expected = set()
    mms = [r[0] for r in case.conn.execute("SELECT rowid FROM messages WHERE type = 'mms'")]
    for m in load_messages(case.conn, mms):
        expected.update((m.rowid, p.index) for p in m.parts if p.kind in ("image", "video"))
    assert expected, "the demo corpus has pictures"
    seen: list[tuple[int, int]] = []
    keys = []
    before = None
    while True:
        items, before = media_page(case.conn, before=before, limit=7)
        seen.extend((i.message_rowid, i.part.index) for i in items)
        keys.extend(i.key for i in items)
        if before is None:
            break
    assert set(seen) == expected and len(seen) == len(expected)
    assert keys == sorted(keys, reverse=True)


def test_changes_made_inside_one_transaction_stand_or_fall_together(case: Case) -> None:
    """Several store functions (each opening a transaction) inside ``case.transaction()``
    make one change: undoing a tag's deletion puts back all of it or none of it."""
    rowids = _rowids(case, 3)
    audit_before = case.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(an.AnnotationError, match="no conversation"), case.transaction():
        an.create_tag(case, "Restored", "#123456", examiner=WHO)
        an.tag_messages(case, rowids, "Restored", examiner=WHO)
        an.tag_conversation(case, "no-such-conversation", "Restored", examiner=WHO)
    assert an.get_tag(case.conn, "Restored") is None
    assert case.conn.execute("SELECT count(*) FROM message_tags").fetchone()[0] == 0
    assert case.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_before
    assert not case.conn.in_transaction
    # a failure caught inside the outer transaction undoes only its own part
    with case.transaction():
        an.create_tag(case, "Kept", "#654321", examiner=WHO)
        with pytest.raises(an.AnnotationError, match="already has"):
            an.create_tag(case, "kept", "#000000", examiner=WHO)
        an.tag_messages(case, rowids[:1], "Kept", examiner=WHO)
    assert an.tagged_rowids(case.conn, an.require_tag(case.conn, "Kept")) == rowids[:1]
