"""The message model: one column list, one reader type, one rule per fact."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from msgcopy_viewer.core.media_types import part_kind
from msgcopy_viewer.ingest.analyze import MessageRecord
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.ingest.writer import MESSAGE_INSERT
from msgcopy_viewer.store import messages as M
from msgcopy_viewer.store.browse import thread_before
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.search import search
from tests.integration.vendor import sms_event, write


def test_every_written_column_reaches_the_message_type() -> None:
    fields = {f.name for f in dataclasses.fields(M.Message)}
    # columns that reach the message in another form
    derived = {"mms": "envelope", "source_index": "source", "warning_count": "warnings"}
    for column in M.MESSAGE_COLUMNS:
        assert derived.get(column, column) in fields, column
    assert "parts" in fields


def test_the_insert_statement_and_the_record_come_from_the_column_list() -> None:
    assert MessageRecord._fields[: len(M.MESSAGE_COLUMNS)] == M.MESSAGE_COLUMNS
    cols = MESSAGE_INSERT.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert tuple(cols) == M.MESSAGE_COLUMNS + M.WRITER_COLUMNS
    assert MESSAGE_INSERT.count("?") == len(cols)


@pytest.mark.parametrize(
    ("declared", "detected", "name", "smil", "contact", "kind"),
    [
        ("application/smil", None, "s.smil", False, False, "smil"),
        ("application/octet-stream", None, "x", True, False, "smil"),
        ("text/x-vcard", None, None, False, False, "contact"),
        ("application/octet-stream", None, "bob.VCF", False, False, "contact"),
        ("text/plain", None, "card.txt", False, True, "contact"),  # a card was read from it
        ("application/octet-stream", "image/jpeg", "a.bin", False, False, "image"),
        # sniffed as non-media: the declared type stands (the decoder sniffs and refuses it)
        ("image/jpeg", "text/plain", None, False, False, "image"),
        ("image/svg+xml", None, "x.svg", False, False, "image"),
        ("audio/amr", None, None, False, False, "audio"),
        ("video/3gpp", None, None, False, False, "video"),
        ("text/plain; charset=utf-8", None, None, False, False, "text"),
        ("application/pdf", None, "r.pdf", False, False, "file"),
    ],
)
def test_one_rule_for_the_kind_of_a_part(declared, detected, name, smil, contact, kind) -> None:
    assert part_kind(declared, detected, name, smil, contact) == kind


def _case_with_two_subscriber_forms(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    first = sms_event("first", start="2024-09-16T19:30:00.000Z")
    second = sms_event("second", start="2024-09-16T19:31:00.000Z")
    del second["subscriberParty"]["did"]
    second["subscriberParty"]["subrId"] = "other-id"
    write(src / "a.json", first)
    write(src / "b.json", second)
    path = tmp_path / "c.mcase"
    Importer(path, workers=1).run([src])
    return path


def test_every_reader_gets_the_events_own_subscriber_party(tmp_path: Path) -> None:
    path = _case_with_two_subscriber_forms(tmp_path)
    with Case.open(path) as case:
        conn = case.conn
        page = thread_before(conn, page_cid(conn), None, 10)
        exported = list(M.iter_messages(conn))
        hits = [h.message for h in search(conn, "second")]
        one = M.get_message(conn, page[1].rowid)
    for second in (page[1], exported[1], hits[0], one):
        assert second is not None
        assert second.text == "second"
        assert second.sub_did is None  # absent in this event: not another event's DID
        assert second.sub_subr_id == "other-id"
    assert page[0].sub_did == "19465559040"
    assert one is not None and one.raw_event is not None
    assert json.loads(one.raw_event)["message"] == "second"


def page_cid(conn) -> str:
    return str(conn.execute("SELECT id FROM conversations").fetchone()[0])


def test_an_unreadable_mms_json_gives_an_empty_envelope() -> None:
    assert M.envelope_from_json("{not json") == M.Envelope()
    assert M.envelope_from_json(None) == M.Envelope()
    env = M.envelope_from_json(
        json.dumps(
            {
                "sender": "+1",
                "recipients": {"to": ["+2", None, 3]},
                "contacts": [{"part": 2, "name": "Ann", "phones": ["+3"]}, "junk"],
                "slides": [{"items": []}, 7],
            }
        )
    )
    assert env.sender == "+1" and env.to == ("+2", "3")
    assert env.contact_names(2) == ["Ann"] and env.contact_names(1) == []
    assert len(env.slides) == 1
