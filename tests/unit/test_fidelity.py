"""Shown and found as received: snippets never split a character, alphanumeric senders are
kept as received, reports are recognised, numbers in every typed form find the same
messages, attachment names are searchable, find within a thread and jump to a date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msgcopy_viewer.core.graphemes import cut, floor_boundary, is_boundary
from msgcopy_viewer.core.parties import normalize_party
from msgcopy_viewer.core.soap import document_kind
from msgcopy_viewer.export.jsonl import message_object
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import messages as M
from msgcopy_viewer.store.browse import message_at_or_after, thread_matches
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.search import MARK_END, MARK_START, match_pattern, search, strip_marks
from tests.gui.mms_helpers import corpus_file, mm7, mms_event, part, text_part
from tests.integration.vendor import sms_event, write

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
UK_SUB = "447700900999"
US_SUB = "19465559040"


def _import(tmp_path: Path, events: list[dict]) -> Path:
    src = tmp_path / "src"
    for n, ev in enumerate(events):
        write(src / f"e{n:03d}.json", ev)
    path = tmp_path / "c.mcase"
    Importer(path, workers=1).run([src])
    return path


def _at(n: int) -> str:
    return f"2024-09-16T{10 + n // 60:02d}:{n % 60:02d}:00.000Z"


# -- item 1: snippets and marks sit on grapheme boundaries ---------------------------------------


def test_grapheme_boundaries() -> None:
    text = "a" + FAMILY + "e\u0301" + "\U0001f1ec\U0001f1e7\U0001f1fa\U0001f1f8" + "\r\n"
    cuts = [i for i in range(len(text) + 1) if is_boundary(text, i)]
    # a | family (7 code points) | e + accent | GB flag | US flag | CRLF
    assert cuts == [0, 1, 8, 10, 12, 14, 16]
    assert floor_boundary(text, 5) == 1
    assert cut(text, 3, 9) == (8, 10)
    assert is_boundary("\u1100\u1161\u11a8x", 3) and not is_boundary("\u1100\u1161\u11a8", 2)


def test_snippets_never_split_a_cluster_and_marks_cover_whole_letters(tmp_path: Path) -> None:
    events = [
        sms_event(f"{'w' * 8} {'x' * n} 4417 {'y' * (98 - n)}{FAMILY}{FAMILY} tail", start=_at(n))
        for n in range(0, 12)
    ]
    events.append(sms_event(f"{'p ' * 20}{FAMILY} code 4417 ok", start=_at(30)))
    events.append(sms_event("Le cafe\u0301 est ouvert", start=_at(31)))
    path = _import(tmp_path, events)
    with Case.open(path) as case:
        hits = search(case.conn, "4417", limit=50)
        cafe = search(case.conn, "cafe")
    assert len(hits) == 13
    for h in hits:
        body = strip_marks(h.snippet).removeprefix("…").removesuffix("…")
        text = " ".join(h.message.text.split())
        at = text.find(body)
        assert at >= 0, h.snippet
        assert is_boundary(text, at) and is_boundary(text, at + len(body)), h.snippet
        assert MARK_START + "4417" + MARK_END in h.snippet
    assert MARK_START + "cafe\u0301" + MARK_END in cafe[0].snippet


# -- item 3: an alphanumeric sender is shown and exported as received -------------------------


def test_alphanumeric_sender_is_kept_as_received(tmp_path: Path) -> None:
    assert normalize_party("<i>BANK</i>").display == "<i>BANK</i>"
    assert normalize_party("<i>BANK</i>").key == normalize_party("<I>bank</I>").key
    path = _import(
        tmp_path,
        [
            sms_event("one", direction="mt", other="<i>BANK</i>", start=_at(1)),
            sms_event("two", direction="mt", other="<I>bank</I>", start=_at(2)),
        ],
    )
    with Case.open(path) as case:
        msgs = list(M.iter_messages(case.conn))
    assert len({m.conversation_id for m in msgs}) == 1  # still grouped by the normalised key
    assert msgs[0].sender == "<i>BANK</i>" and msgs[1].sender == "<I>bank</I>"
    assert msgs[0].participants == ("<i>BANK</i>",)
    exported = message_object(msgs[0])
    assert exported["other_party"] == "<i>BANK</i>"
    assert exported["conversation"]["participants"] == ["<i>BANK</i>"]


# -- item 4: delivery and read reports are recognised -------------------------------------------

READ_REPLY = (
    'Content-Type: text/xml; charset="utf-8"\r\n\r\n'
    '<?xml version="1.0"?><Envelope><Header><TransactionID>9</TransactionID></Header><Body>'
    "<ReadReplyReq><MM7Version>6.8.0</MM7Version><MessageID>abc-123</MessageID>"
    "<Recipient><Number>+12145550111</Number></Recipient>"
    "<Sender><Number>+12145550100</Number></Sender><TimeStamp>2024-07-01T12:00:05Z</TimeStamp>"
    "<MMStatus>Read</MMStatus><StatusText>Read by the user</StatusText>"
    "</ReadReplyReq></Body></Envelope>"
)


def test_document_kinds() -> None:
    assert document_kind(None) == "message"
    assert document_kind("DeliverReq") == "message"
    assert document_kind("DeliveryReportReq") == "delivery_report"
    assert document_kind("ReadReplyReq") == "read_report"
    assert document_kind("CancelReq") == "other"


def test_reports_are_recognised_and_exported_with_their_kind(tmp_path: Path) -> None:
    report = corpus_file("mm7", "sinch-mm7-deliveryreport-full.txt").read_text("utf-8")
    message, mtype = mm7([text_part("hello")])
    events = [
        mms_event(message, mtype, seconds=1),
        mms_event(report, "multipart/related", seconds=2),
        mms_event(READ_REPLY, "text/xml", seconds=3),
    ]
    path = _import(tmp_path, events)
    with Case.open(path) as case:
        msgs = list(M.iter_messages(case.conn))
    plain, delivery, read = msgs
    assert (plain.kind, plain.is_report, plain.report_summary()) == ("message", False, "")
    assert delivery.kind == "delivery_report" and delivery.is_report
    assert delivery.report_summary() == (
        "Delivery report: Retrieved (Success) · for message 369500617770864640"
    )
    assert read.kind == "read_report"
    assert read.report_summary() == "Read report: Read (Read by the user) · for message abc-123"
    lines = [message_object(m) for m in msgs]
    assert [o["kind"] for o in lines] == ["message", "delivery_report", "read_report"]
    assert lines[1]["mms"]["message_kind"] == "DeliveryReportReq"
    assert lines[1]["mms"]["report"] == {
        "message_id": "369500617770864640",
        "status": "Retrieved",
        "status_text": "Success",
    }
    assert lines[0]["mms"]["report"] is None
    json.dumps(lines)


# -- item 7: numbers in every form, alphanumeric senders, attachment and contact names -------


@pytest.fixture
def number_case(tmp_path: Path) -> Path:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zelda Quartermain\r\nTEL:+15550001\r\nEND:VCARD\r\n"
    message, mtype = mm7(
        [part("image/png", png, "img1", "holiday-beach.png"), part("text/x-vcard", card, "vc1")],
        subject="Harbourfront plans",
    )
    return _import(
        tmp_path,
        [
            sms_event("uk one", mobile=UK_SUB, other="07700900123", start=_at(1)),
            sms_event("uk two", mobile=UK_SUB, other="+44 7700 900123", start=_at(2)),
            sms_event("us one", mobile=US_SUB, other="(214) 555-5273", start=_at(3)),
            sms_event("us two", mobile=US_SUB, other="12145555273", start=_at(4)),
            sms_event("parcel", direction="mt", other="AMAZON", start=_at(5)),
            sms_event("unrelated", other="12145550000", start=_at(6)),
            mms_event(message, mtype, seconds=7),
        ],
    )


@pytest.mark.parametrize(
    "typed, texts",
    [
        ("07700900123", {"uk one", "uk two"}),
        ("+44 7700 900123", {"uk one", "uk two"}),
        ("447700900123", {"uk one", "uk two"}),
        ("(214) 555-5273", {"us one", "us two"}),
        ("2145555273", {"us one", "us two"}),
        ("+1 214-555-5273", {"us one", "us two"}),
        ("AMAZON", {"parcel"}),
        ("amazon", {"parcel"}),
        ("AMAZ*", {"parcel"}),
    ],
)
def test_numbers_and_senders_in_every_typed_form(number_case: Path, typed: str, texts) -> None:
    with Case.open(number_case) as case:
        hits = search(case.conn, typed)
    assert {h.message.text for h in hits} == texts
    assert all(MARK_START in h.snippet for h in hits)


def test_attachment_contact_and_subject_are_searchable(number_case: Path) -> None:
    with Case.open(number_case) as case:
        by_name = search(case.conn, "holiday-beach.png")
        by_word = search(case.conn, "beach")
        by_contact = search(case.conn, "Quartermain")
        by_subject = search(case.conn, "harbourfront")
    for hits in (by_name, by_word, by_contact, by_subject):
        assert len(hits) == 1 and hits[0].message.is_mms
    assert by_word[0].message.attachment_names.startswith("holiday-beach.png")
    assert by_word[0].snippet.startswith("Attachment: holiday-")
    assert MARK_START + "beach" + MARK_END in by_word[0].snippet


# -- item 8: find within a thread, jump to a date ---------------------------------------------


def test_thread_matches_and_jump_to_date(tmp_path: Path) -> None:
    texts = ["apple pie", "banana", "Apple tart", "cherry 👍", "apples", "apple"]
    path = _import(tmp_path, [sms_event(t, start=_at(n * 10)) for n, t in enumerate(texts)])
    with Case.open(path) as case:
        cid = str(case.conn.execute("SELECT id FROM conversations").fetchone()[0])
        rows = list(M.iter_messages(case.conn))
        keys = thread_matches(case.conn, cid, "apple")
        assert [r for _ms, r in keys] == [rows[i].rowid for i in (0, 2, 5)]
        assert len(thread_matches(case.conn, cid, "apple*")) == 4
        assert [r for _ms, r in thread_matches(case.conn, cid, "👍")] == [rows[3].rowid]
        assert thread_matches(case.conn, cid, "  ") == []
        assert thread_matches(case.conn, cid, "zzz") == []
        at = message_at_or_after(case.conn, cid, rows[2].start_ms - 1)
        assert at == rows[2].rowid
        assert message_at_or_after(case.conn, cid, rows[2].start_ms) == rows[2].rowid
        assert message_at_or_after(case.conn, cid, rows[-1].start_ms + 1) == rows[-1].rowid
        assert message_at_or_after(case.conn, "nope", 0) is None
    pattern = match_pattern("apple")
    assert pattern is not None and pattern.search("Apple tart")
    assert pattern.search("apples") is None
    thumbs = match_pattern("👍")
    assert thumbs is not None and thumbs.search("cherry 👍")
