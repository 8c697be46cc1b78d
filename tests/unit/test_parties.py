from __future__ import annotations

import pytest

from msgcopy_viewer.core.conversations import conversation_key, participants_for
from msgcopy_viewer.core.parties import (
    normalize_party,
    normalize_subscriber,
    subscriber_region,
)

US_SUB = "19465559040"
UK_SUB = "447700900456"


@pytest.mark.parametrize(
    "raw",
    [
        "12145555273",
        "+1 (214) 555-5273",
        "2145555273",
        "+12145555273",
        "1-214-555-5273",
        "tel:+12145555273",
        "+12145555273/TYPE=PLMN",
    ],
)
def test_us_forms(raw: str) -> None:
    p = normalize_party(raw, subscriber_region(US_SUB))
    assert p.key == "+12145555273" and p.kind == "number"


@pytest.mark.parametrize(
    "raw", ["07700900123", "447700900123", "+44 7700 900123", "00447700900123"]
)
def test_uk_forms(raw: str) -> None:
    assert normalize_party(raw, subscriber_region(UK_SUB)).key == "+447700900123"


def test_uk_subscriber_sees_us_number() -> None:
    assert normalize_party("12145550000", subscriber_region(UK_SUB)).key == "+12145550000"


def test_us_subscriber_sees_uk_number() -> None:
    assert normalize_party("447700900123", subscriber_region(US_SUB)).key == "+447700900123"


def test_regions() -> None:
    assert subscriber_region(US_SUB) == "US"
    assert subscriber_region(UK_SUB) == "GB"
    assert subscriber_region("+447700900456") == "GB"


def test_short_codes_stay_digits() -> None:
    p = normalize_party("72345", "US")
    assert (p.key, p.display, p.kind) == ("72345", "72345", "shortcode")


def test_alphanumeric_keeps_case_compares_without() -> None:
    a, b = normalize_party("AMAZON", "US"), normalize_party("Amazon", "US")
    assert a.display == "AMAZON" and b.display == "Amazon"
    assert a.key == b.key and a.kind == "alpha"


def test_email_addresses() -> None:
    p = normalize_party("Jane.Doe@Example.com", "US")
    assert p.kind == "email" and p.key == "jane.doe@example.com"
    assert p.display == "Jane.Doe@Example.com"


def test_impossible_number_kept_as_digits() -> None:
    p = normalize_party("999999999999999999", "US")
    assert p.kind == "unknown" and p.key == "999999999999999999"


def test_subscriber_normalised_as_international() -> None:
    assert normalize_subscriber(US_SUB).key == "+19465559040"
    assert normalize_subscriber(UK_SUB).key == "+447700900456"


def test_conversation_ids_stable_and_scoped() -> None:
    sub = normalize_subscriber(US_SUB)
    region = subscriber_region(US_SUB)
    a = conversation_key(sub, participants_for(sub, region, "2145555273"))
    b = conversation_key(sub, participants_for(sub, region, "+1 (214) 555-5273"))
    assert a.id == b.id and not a.is_group
    other_sub = normalize_subscriber("19465559041")
    c = conversation_key(other_sub, participants_for(other_sub, region, "2145555273"))
    assert c.id != a.id


def test_group_participants_exclude_subscriber_and_sort() -> None:
    sub = normalize_subscriber(US_SUB)
    parts = participants_for(
        sub, "US", "2145555273", ["+19465559040", "2145555999", "+12145555273", "2145555273"]
    )
    key = conversation_key(sub, parts)
    assert [p.key for p in key.participants] == ["+12145555273", "+12145555999"]
    assert key.is_group
    same = conversation_key(sub, list(reversed(parts)))
    assert same.id == key.id


def test_envelope_with_only_subscriber_falls_back_to_other_party() -> None:
    sub = normalize_subscriber(US_SUB)
    parts = participants_for(sub, "US", "2145555273", ["+19465559040"])
    assert [p.key for p in parts] == ["+12145555273"]
