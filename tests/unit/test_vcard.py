"""vCards: vobject card by card, lenient fallback for broken cards."""

from __future__ import annotations

import base64

from msgcopy_viewer.core.vcard import decode_charset, parse_vcards

PNG = base64.b64decode(
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_good_card_via_vobject() -> None:
    cards, warnings = parse_vcards(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\nTEL;TYPE=CELL:+1 555\r\n"
        b"EMAIL:ann@x.org\r\nORG:Acme;R&D\r\n"
        b"ADR;TYPE=HOME:;;1 Main St;Town;;12345;US\r\nEND:VCARD\r\n"
    )
    assert warnings == []
    (card,) = cards
    assert card.parsed
    assert (card.name, card.phones, card.emails, card.org) == (
        "Ann Lee",
        ["+1 555"],
        ["ann@x.org"],
        "Acme, R&D",
    )
    assert card.addresses == ["1 Main St, Town, 12345, US"]


def test_name_from_n_when_no_fn() -> None:
    (card,), _w = parse_vcards(b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John;;Dr.;\r\nEND:VCARD\r\n")
    assert card.name == "Dr. John Doe"


def test_broken_base64_photo_and_unindented_qp_fall_back() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91a=\r\n=C3=91b\r\n"
        b"TEL;CELL:123\r\nPHOTO;ENCODING=BASE64;PNG:" + base64.b64encode(PNG)[:-3] + b"\r\n\r\n"
        b"END:VCARD\r\n"
    )
    (card,), warnings = parse_vcards(data)
    assert not card.parsed
    assert card.name == "ÑaÑb"
    assert card.phones == ["123"]
    assert card.photo is not None and card.photo_type == "image/png"
    assert warnings


def test_vcard4_data_uri_photo() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nPHOTO:data:image/png;base64,"
        + base64.b64encode(PNG)
        + b"\r\nEND:VCARD\r\n"
    )
    (card,), _w = parse_vcards(data)
    assert card.photo == PNG
    assert card.photo_type == "image/png"


def test_charset_param_and_bad_bytes_never_crash() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:\x88\xc0\x93\xa1\r\nEND:VCARD\r\n"
    (card,), _w = parse_vcards(data)
    assert card.name == "安藤"
    (card,), _w = parse_vcards(b"BEGIN:VCARD\r\nFN;CHARSET=nonsense:\xff\xfe\r\n")
    assert card.name is not None


def test_nested_and_multiple_cards() -> None:
    data = (
        b"BEGIN:VCARD\nN:a\nBEGIN:VCARD\nN:b\nEND:VCARD\nTEL:1\nEND:VCARD\n"
        b"BEGIN:VCARD\nFN:c\nEND:VCARD\n"
    )
    cards, _w = parse_vcards(data)
    assert [c.name for c in cards] == ["a", "b", "c"]
    assert cards[0].phones == ["1"]


def test_decode_charset_mibenum() -> None:
    assert decode_charset("é".encode(), "106") == "é"
    assert decode_charset(b"\xe9", "4") == "é"
    assert decode_charset("é".encode("utf-16"), "1000") == "é"
    assert decode_charset(b"\xff", "x-unknown") == "ÿ"
