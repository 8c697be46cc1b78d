"""SMIL → layout and slides."""

from __future__ import annotations

import pytest

from msgcopy_viewer.core.smil import SmilError, parse_clock, parse_smil


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        ("5000ms", 5000),
        ("5s", 5000),
        ("5", 5000),
        ("1.5s", 1500),
        ("0:05", 5000),
        ("1:00:00", 3_600_000),
        ("2min", 120_000),
        ("indefinite", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_clock(value: str | None, ms: int | None) -> None:
    assert parse_clock(value) == ms


def test_namespace_doctype_and_seq() -> None:
    doc = parse_smil(
        '<?xml version="1.0"?>\n<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 2.0//EN" '
        '"http://www.w3.org/2001/SMIL20/SMIL20.dtd">\n'
        '<smil xmlns="http://www.w3.org/2001/SMIL20/Language"><head><layout>'
        '<root-layout width="160px" height="120"/><region id="I" left="0" top="0" '
        'width="100%" height="50%" fit="meet"/></layout></head>'
        '<body><seq><par begin="0s" end="3s"><img src="a.jpg" region="I"/></par>'
        '<par><video src="v.3gp" begin="1s" dur="2s"/><ref src="x.bin"/></par></seq></body></smil>'
    )
    assert doc.layout is not None
    assert (doc.layout.root_width, doc.layout.root_height) == (160, 120)
    assert doc.layout.regions["I"].fit == "meet"
    assert [s.duration_ms for s in doc.slides] == [3000, 3000]
    assert [i.kind for i in doc.slides[1].items] == ["video", "ref"]
    assert (doc.slides[1].items[0].begin_ms, doc.slides[1].items[0].end_ms) == (1000, 3000)


def test_items_directly_in_body_are_one_slide_each() -> None:
    doc = parse_smil('<smil><body><img src="a"/><text src="b" dur="4s"/></body></smil>')
    assert [[i.src for i in s.items] for s in doc.slides] == [["a"], ["b"]]
    assert doc.slides[1].duration_ms == 4000


def test_junk_before_smil_is_skipped() -> None:
    doc = parse_smil(
        b"\x00\x89<smil_0>junk\x00<smil><body><par><img src='cid:x'/></par></body></smil>"
    )
    assert doc.slides[0].items[0].src == "cid:x"


@pytest.mark.parametrize(
    "text",
    ["", "<html/>", "<smil><body><par>", "<smil><p:img/></smil>"],
)
def test_unusable_smil_raises_smil_error(text: str) -> None:
    with pytest.raises(SmilError):
        parse_smil(text)
