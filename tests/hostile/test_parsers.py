"""Rule 2 for XML and MIME: parsing stays linear in its input, whatever it holds.

Each input here is big enough that a quadratic step would take minutes (the suite's
30-second limit per test then fails it); ``benchmarks/hostile_scaling.py`` prints the
time per unit at two sizes to show the growth is linear.
"""

from __future__ import annotations

from msgcopy_viewer.core.mime import parse_mime
from msgcopy_viewer.core.mms import decode_mms
from msgcopy_viewer.core.smil import parse_smil
from msgcopy_viewer.core.soap import lenient_tree, parse_envelope
from tests.hostile import builders as b
from tests.hostile.scaling import (
    damaged_parts_body,
    dangling_smil_body,
    nested_smil,
    unclosed_soap,
)


def test_soap_of_unclosed_and_unmatched_tags_is_read_leniently() -> None:
    envelope, warnings = parse_envelope(unclosed_soap(60_000))
    assert envelope.sender == "+12145555273"
    assert any("not well-formed" in w for w in warnings)


def test_lenient_tree_text_is_joined_once() -> None:
    tree = lenient_tree("<a>" + "x&amp;<!-- c -->" * 50_000)
    assert tree.children[0].text == "x&" * 50_000


def test_thousands_of_parts_each_with_a_warning() -> None:
    decoded = decode_mms(damaged_parts_body(5000))
    assert len(decoded.parts) == 5000
    assert sum("base64 text is damaged" in w for w in decoded.warnings) == 5000


def test_thousands_of_dangling_smil_references() -> None:
    decoded = decode_mms(dangling_smil_body(20_000))
    assert sum("SMIL refers to" in w for w in decoded.warnings) == 20_000


def test_smil_nested_deeper_than_the_recursion_limit() -> None:
    doc = parse_smil(nested_smil(5000))
    assert len(doc.slides) == 1


def test_mime_of_many_empty_parts() -> None:
    decoded = decode_mms(b.mm7(*([b.part("Content-Type: text/plain", b"")] * 20_000)))
    assert len(decoded.parts) == 20_000
    root, _warnings = parse_mime(decoded.parts[0].data)
    assert root is not None


def test_repeated_warnings_are_kept_once() -> None:
    pars = '<par><img src="gone.jpg"/></par>' * 20_000
    smil = f"<smil><body>{pars}</body></smil>".encode()
    decoded = decode_mms(b.mm7(b.part("Content-Type: application/smil", smil)))
    assert sum("SMIL refers to 'gone.jpg'" in w for w in decoded.warnings) == 1
