from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgcopy_viewer.core.events import (
    DocumentError,
    _parse_event_checked,
    format_utc_ms,
    identity_json,
    parse_document,
    parse_event,
    parse_start_time,
)

VENDOR_EXAMPLE = """{
   "smsEvent" : [ {
     "direction" : "mo",
     "startTime" : "2024-09-16T19:30:39.090+0000",
     "subscriberParty" : {
     "domain" : "software.tango-networks",
     "mobile" : "19465559040",
     "did" : "19465559040",
     "subrId" : "s021157"
     },
     "otherParty" : {
       "number" : "12145555273"
     },
     "message" : "This is SMS one \U0001f600.",
     "messageType" : "sms",
     "messageContentType" : "text/plain; charset=UTF-8"
   } ]
}"""


def event(**over: object) -> dict[str, object]:
    ev: dict[str, object] = json.loads(VENDOR_EXAMPLE)["smsEvent"][0]
    ev.update(over)
    return ev


def doc(*events: dict[str, object]) -> bytes:
    return json.dumps({"smsEvent": list(events)}).encode()


def test_vendor_example_parses() -> None:
    (e,) = parse_document(VENDOR_EXAMPLE.encode())
    assert e.direction == "mo"
    assert e.start_raw == "2024-09-16T19:30:39.090+0000"
    assert format_utc_ms(e.start_ms) == "2024-09-16T19:30:39.090Z"
    assert e.mobile == "19465559040" and e.did == "19465559040" and e.subr_id == "s021157"
    assert e.domain == "software.tango-networks"
    assert e.other_party == "12145555273"
    assert e.message == "This is SMS one 😀."
    assert e.message_type == "sms"
    assert e.content_type == "text/plain; charset=UTF-8"


def test_bom_is_tolerated() -> None:
    (e,) = parse_document(b"\xef\xbb\xbf" + VENDOR_EXAMPLE.encode())
    assert e.message.endswith("😀.")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-09-16T19:30:39.090+0000", "2024-09-16T19:30:39.090Z"),
        ("2024-09-16T11:30:39.090-0800", "2024-09-16T19:30:39.090Z"),
        ("2024-09-16T19:30:39Z", "2024-09-16T19:30:39.000Z"),
        ("2024-09-16T19:30:39.090+00:00", "2024-09-16T19:30:39.090Z"),
        ("2024-09-16T19:30:39.5Z", "2024-09-16T19:30:39.500Z"),
        ("2024-03-10T01:59:59.999-0500", "2024-03-10T06:59:59.999Z"),
        ("2024-09-17T01:00:00.000+0530", "2024-09-16T19:30:00.000Z"),
    ],
)
def test_start_time_forms(raw: str, expected: str) -> None:
    assert format_utc_ms(parse_start_time(raw)) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "yesterday",
        "2024-09-16 noon",
        "2024-09-16T19:30:39.090+2500",
        "",
    ],
)
def test_bad_start_times(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_start_time(raw)


def test_unknown_fields_kept_in_raw_and_canonical() -> None:
    (e,) = parse_document(
        doc(event(vendorExtra={"a": 1}, segment={"id": "x", "number": 1, "total": 2}))
    )
    assert e.raw["vendorExtra"] == {"a": 1}
    assert '"vendorExtra":{"a":1}' in e.canonical


def test_formatting_does_not_change_identity() -> None:
    a = parse_document(VENDOR_EXAMPLE.encode())[0]
    b = parse_document(
        json.dumps({"smsEvent": [json.loads(VENDOR_EXAMPLE)["smsEvent"][0]]}, indent=None).encode()
    )[0]
    assert a.fingerprint == b.fingerprint and a.message_id == b.message_id
    c = parse_document(doc(event(message="different")))[0]
    assert c.message_id != a.message_id


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda e: e.pop("direction"), "event 1: required field direction is missing"),
        (lambda e: e.update(direction="sideways"), "event 1: direction must be"),
        (lambda e: e.pop("startTime"), "event 1: required field startTime is missing"),
        (lambda e: e.update(startTime="soon"), "event 1: startTime"),
        (
            lambda e: e["subscriberParty"].pop("mobile"),
            "event 1: required field subscriberParty.mobile is missing",
        ),
        (lambda e: e.pop("otherParty"), "event 1: required field otherParty is missing"),
        (
            lambda e: e["otherParty"].update(number=""),
            "event 1: required field otherParty.number is empty",
        ),
        (lambda e: e.update(messageType="fax"), "event 1: messageType must be"),
        (lambda e: e.pop("message"), "event 1: required field message is missing"),
        (lambda e: e.update(message=42), "event 1: field message must be a string"),
        (lambda e: e.update(subscriberParty="x"), "event 1: field subscriberParty must be an"),
    ],
)
def test_invalid_event_names_field_and_index(mutate: object, needle: str) -> None:
    bad = event()
    mutate(bad)  # type: ignore[operator]
    with pytest.raises(DocumentError) as info:
        parse_document(doc(event(), bad))
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a Message Copy document"),
        (b'{"other": 1}', "not a Message Copy document"),
        (b'{"smsEvent": 3}', "smsEvent is not a list"),
        (b'{"smsEvent": []}', "no events"),
        (b'{"smsEvent": [3]}', "event 0: must be an object"),
    ],
)
def test_not_a_document(data: bytes, needle: str) -> None:
    with pytest.raises(DocumentError) as info:
        parse_document(data)
    assert needle in str(info.value)


def test_several_events_keep_their_index() -> None:
    events = parse_document(doc(event(), event(message="two"), event(message="three")))
    assert [e.index for e in events] == [0, 1, 2]
    assert events[2].message == "three"


def test_raw_text_is_the_event_exactly_as_in_the_file() -> None:
    (e,) = parse_document(VENDOR_EXAMPLE.encode())
    start = VENDOR_EXAMPLE.index("[ {") + 2
    end = VENDOR_EXAMPLE.rindex("} ]") + 1
    assert e.raw_text == VENDOR_EXAMPLE[start:end]
    text = '{"other": [1, {"a": "]"}],  "smsEvent" :[ {"x": 1} ,\n' + json.dumps(event()) + " ] }"
    events = parse_document(text.replace('{"x": 1}', json.dumps(event(message="first"))).encode())
    assert [json.loads(ev.raw_text)["message"] for ev in events] == ["first", "This is SMS one 😀."]
    assert events[1].raw_text == json.dumps(event())


def test_fast_scan_falls_back_for_precise_errors() -> None:
    with pytest.raises(DocumentError, match=r"not JSON \(Extra data at line 1 column"):
        parse_document(doc(event()) + b" trailing")
    with pytest.raises(DocumentError, match=r"not JSON \(Expecting ',' delimiter"):
        parse_document(b'{"smsEvent": [{"a": 1} {"b": 2}]}')
    # smsEvent given as a single object still parses (raw text then re-serialised)
    (e,) = parse_document(json.dumps({"smsEvent": event(message="solo")}).encode())
    assert e.message == "solo" and json.loads(e.raw_text)["message"] == "solo"


def test_identity_replaces_the_message_by_its_hash() -> None:
    (e,) = parse_document(VENDOR_EXAMPLE.encode())
    assert "This is SMS one" not in e.canonical
    assert hashlib.sha256("This is SMS one 😀.".encode()).hexdigest() in e.canonical


def test_duplicate_smsevent_keys_take_the_last_like_json() -> None:
    text = (
        '{"smsEvent": ['
        + json.dumps(event(message="first"))
        + '], "smsEvent": ['
        + json.dumps(event(message="second"))
        + "]}"
    )
    (e,) = parse_document(text.encode())
    assert e.message == "second" and json.loads(e.raw_text)["message"] == "second"


# -- the fast paths agree with the reference ------------------------------------------------

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_json_value = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_value, max_size=8), st.text(max_size=20))
def test_identity_json_matches_the_standard_library(event: dict[str, object], message: str) -> None:
    digest = hashlib.sha256(message.encode("utf-8", "surrogatepass")).hexdigest()
    expected = json.dumps(
        {**event, "message": {"sha256": digest}},
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    assert identity_json(event, message) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "direction": st.sampled_from(["mo", "mt", "MO", "Mt"]),
            "startTime": st.sampled_from(
                [
                    "2024-09-16T19:30:39.090+0000",
                    "2024-02-29T23:59:59.999-0800",
                    "2024-09-16T19:30:39Z",
                ]
            ),
            "subscriberParty": st.fixed_dictionaries(
                {"mobile": st.sampled_from(["19465559040", " 447700900456 "])},
                optional={
                    "domain": st.one_of(st.none(), st.text(max_size=5)),
                    "did": st.one_of(st.none(), st.text(max_size=5), st.integers(0, 99)),
                    "subrId": st.text(max_size=5),
                },
            ),
            "otherParty": st.fixed_dictionaries(
                {
                    "number": st.sampled_from(
                        ["+1 (214) 555-5273", "AMAZON", "72345", " 07700900123"]
                    )
                }
            ),
            "messageType": st.sampled_from(["sms", "SMS", "mms"]),
            "message": st.text(max_size=30),
        },
        optional={
            "messageContentType": st.one_of(st.none(), st.text(max_size=8)),
            "segment": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), st.integers())),
            "vendorExtra": _json_value,
        },
    )
)
def test_plain_event_fast_path_equals_the_checked_path(event: dict[str, object]) -> None:
    fast = parse_event(event, 0, "{}")
    checked = _parse_event_checked(event, 0, "{}")
    assert fast == checked


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8).map(lambda k: "x-" + k), _json_value, max_size=6))
def test_single_event_documents_read_like_the_exact_scan(extra: dict[str, object]) -> None:
    ev = event(**extra)
    text = json.dumps({"smsEvent": [ev]}, indent=3)
    fast = parse_document(text.encode())
    exact = parse_document(("  " + json.dumps({"smsEvent": [ev, ev]})).encode())[:1]
    assert [e.fingerprint for e in fast] == [e.fingerprint for e in exact]
    assert fast[0].raw == json.loads(text)["smsEvent"][0]
