"""Rule 1 and 5: whatever a file contains, it gets one outcome, and damage is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msgcopy_viewer.core.events import parse_document
from msgcopy_viewer.ingest.analyze import analyze_bytes
from tests.hostile.builders import (
    document,
    event,
    ledger,
    messages,
    mm7,
    mms_event,
    part,
    run_import,
    soap,
)

LONE = "\ud800"


def _with(path: str, value: str) -> dict[str, object]:
    ev = event()
    if "." in path:
        outer, inner = path.split(".")
        ev[outer] = {**ev[outer], inner: value}
    else:
        ev[path] = value
    return ev


@pytest.mark.parametrize(
    "field",
    [
        "message",
        "messageContentType",
        "subscriberParty.mobile",
        "subscriberParty.domain",
        "subscriberParty.did",
        "subscriberParty.subrId",
        "otherParty.number",
        "unknownField",
    ],
)
def test_lone_surrogate_in_any_field_is_imported_with_a_warning(field: str, tmp_path: Path) -> None:
    value = "+1214555" + LONE + "5273" if "number" in field or "mobile" in field else "x" + LONE
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.json").write_bytes(document(_with(field, value)))
    (src / "b.json").write_bytes(document(event("the sibling")))
    case = tmp_path / "c.mcase"
    report = run_import(case, src)
    assert report.status == "completed"
    assert [row[1] for row in ledger(case)] == ["imported", "imported"]
    stored = messages(case)
    warnings = json.loads(stored[0][2])
    if field == "unknownField":  # not read, so not damaged: the raw event keeps it
        assert warnings == []
    else:
        assert any("lone surrogate" in w and field in w for w in warnings), warnings


def test_lone_surrogate_in_startTime_is_rejected_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(document(event(startTime="2024-09-16T19:30" + LONE)))
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "a.json")
    [(_path, outcome, reason, _root)] = ledger(case)
    assert outcome == "rejected" and reason is not None and "startTime" in reason


def test_lone_surrogate_from_a_utf7_mime_part_is_stored(tmp_path: Path) -> None:
    body = mm7(part("Content-Type: text/plain; charset=utf-7", b"+2AA-"))
    (tmp_path / "a.json").write_bytes(document(mms_event(body)))
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "a.json")
    assert [row[1] for row in ledger(case)] == ["imported"]
    assert any("U+FFFD" in w for w in json.loads(messages(case)[0][2]))


def test_integer_too_long_to_convert_is_rejected_with_a_reason(tmp_path: Path) -> None:
    data = document(event()).replace(b'"direction"', b'"n": ' + b"9" * 5000 + b', "direction"')
    analysis = analyze_bytes(data)
    assert analysis.error is not None and "more than" in analysis.error
    assert "internal error" not in analysis.error


def test_repeated_keys_warn_and_never_make_two_files_silent_duplicates(tmp_path: Path) -> None:
    base = document(event("the visible text"))
    one = base.replace(b'"direction"', b'"message": "first hidden text", "direction"')
    two = base.replace(b'"direction"', b'"message": "another hidden text", "direction"')
    src = tmp_path / "in"
    src.mkdir()
    (src / "one.json").write_bytes(one)
    (src / "two.json").write_bytes(two)
    case = tmp_path / "c.mcase"
    run_import(case, src)
    assert [row[1] for row in ledger(case)] == ["imported", "imported"]
    stored = messages(case)
    assert [m[0] for m in stored] == ["the visible text", "the visible text"]
    for _text, _other, warnings in stored:
        assert any("repeats the key(s) 'message'" in w for w in json.loads(warnings))
    # the same file again is still a duplicate (same bytes)
    run_import(case, src / "one.json")
    assert ledger(case)[-1][1] == "duplicate"


def test_repeated_key_hidden_behind_an_escaped_colon_is_found() -> None:
    text = document(event("m")).replace(
        b'"direction"', b'"message": "a\\u003ab", "x\\u003a": 1, "direction"'
    )
    [ev] = parse_document(text)
    assert any("repeats" in w for w in ev.warnings)


def test_plain_vendor_event_has_no_warning() -> None:
    [ev] = parse_document(document(event("a: b: c")))
    assert ev.warnings == ()


@pytest.mark.parametrize(
    "start",
    [
        "0001-01-01T00:30:00.000+0100",  # year 0 in UTC
        "9999-12-31T23:30:00.000-0100",  # year 10000 in UTC
        "0000-06-01T00:00:00Z",
    ],
)
def test_time_outside_years_1_to_9999_is_rejected_with_a_reason(start: str, tmp_path: Path) -> None:
    analysis = analyze_bytes(document(event(startTime=start)))
    assert analysis.error is not None and "startTime" in analysis.error


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"QUJD*REVG", "stray characters"),
        (b"QUI=QUJD", "data after the padding"),
        (b"QUJDREVGR", "a length that is not a multiple of 4"),
    ],
)
def test_damaged_base64_is_decoded_as_far_as_possible_with_a_warning_naming_the_part(
    body: bytes, problem: str
) -> None:
    text = mm7(
        part(
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            'Content-Location: "evidence.bin"',
            body,
        )
    )
    [record] = analyze_bytes(document(mms_event(text))).messages
    warnings = json.loads(record.warnings)
    assert any(problem in w and "evidence.bin" in w for w in warnings), warnings
    assert any(p.size >= 3 for p in record.parts)


def test_envelope_sender_differing_from_other_party_is_a_warning() -> None:
    text = mm7(part("Content-Type: text/plain", b"hi"), envelope=soap(sender="+13105550000"))
    [record] = analyze_bytes(document(mms_event(text))).messages
    assert any("otherParty.number" in w for w in json.loads(record.warnings)), record.warnings
    # the same message from the number the event names: no such warning
    same = mm7(part("Content-Type: text/plain", b"hi"), envelope=soap(sender="+12145555273"))
    [record] = analyze_bytes(document(mms_event(same))).messages
    assert not any("otherParty.number" in w for w in json.loads(record.warnings))
