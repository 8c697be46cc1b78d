"""Conformance tests against the shared real-world corpus (read at run time, never copied)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from corpus_paths import SKIP_REASON, corpus_dir
except ImportError:  # pragma: no cover - when tests/unit is a package
    from tests.unit.corpus_paths import SKIP_REASON, corpus_dir

from msgcopy_viewer.core.mime import iter_leaves, parse_mime
from msgcopy_viewer.core.mms import decode_mms
from msgcopy_viewer.core.smil import parse_smil
from msgcopy_viewer.core.vcard import parse_vcards

CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(CORPUS is None, reason=SKIP_REASON)


def _read(*parts: str) -> bytes:
    assert CORPUS is not None
    return (CORPUS / "real").joinpath(*parts).read_bytes()


def _listing(sub: str) -> list[str]:
    if CORPUS is None:
        return []
    return sorted(p.name for p in (CORPUS / "real" / sub).iterdir() if p.is_file())


# --------------------------------------------------------------------------- MM7


@dataclass
class Expect:
    kind: str | None
    sender: str | None
    to: list[str]
    subject: str | None
    # (content_type, detected_type, name, size or None, is_smil, in_smil)
    parts: list[tuple[str, str | None, str | None, int | None, bool, bool]]
    slides_source: str
    # per slide: list of (kind, part index or None, region)
    slides: list[list[tuple[str, int | None, str | None]]]
    text: str = ""
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # substrings that must appear
    no_warnings: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


MM7: dict[str, Expect] = {
    "mm7_submitreq_savon_multipart.txt": Expect(
        kind="SubmitReq",
        sender="1111",
        to=["11111111111"],
        subject="Test MMS via Savon",
        parts=[
            ("application/smil", None, None, 467, True, False),
            ("image/gif", "image/gif", "github_logo.gif", 1268, False, True),
            ("text/plain", None, None, 36, False, True),
        ],
        slides_source="smil",
        slides=[[("image", 1, "Image"), ("text", 2, "Text")]],
        text="This is a test message from Github\r\n",
        no_warnings=True,
        extra={"layout": (240, 320, ["Image", "Text"]), "duration": 5000},
    ),
    "mm7_deliverreq_sinch_docs_example.txt": Expect(
        kind="DeliverReq",
        sender="1617423433",
        to=["111122"],
        subject=None,
        parts=[
            ("image/jpeg", None, None, 18, False, False),
            ("text/plain", None, None, 17, False, False),
        ],
        slides_source="fallback",
        slides=[[("image", 0, None), ("text", 1, None)]],
        text="Test MO message!\n",
        warnings=["SOAP envelope is not well-formed", "not a recognisable image"],
    ),
    "mm7_deliverreq_instantcom_nokia_req3.txt": Expect(
        kind="DeliverReq",
        sender="+3859100010010",
        to=["88888"],
        subject="Bomb",
        parts=[
            ("application/smil", None, "main.smil", 386, True, False),
            ("image/gif", "image/gif", "Bomb.gif", 4148, False, True),
        ],
        slides_source="smil",
        slides=[[("image", 1, "Image")]],
        no_warnings=True,
        extra={"layout": (640, 480, ["Image", "Text"]), "duration": 4000},
    ),
    "mm7_deliverreq_instantcom_req4_jpeg.txt": Expect(
        kind="DeliverReq",
        sender=None,
        to=[],
        subject=None,
        parts=[
            ("image/jpeg", "image/jpeg", "flowers_6.jpg", 299678, False, False),
            ("application/smil", None, "pres.smil", 235, True, False),
        ],
        slides_source="fallback",
        slides=[[("image", 0, None)]],
        warnings=["SMIL refers to 'flowers_.jpg', which is not in the message"],
    ),
    "mm7_deliverreq_instantcom_req6_hw_rel5.txt": Expect(
        kind="DeliverReq",
        sender="13951900000",
        to=["13900000001"],
        cc=["13900000003"],
        bcc=["13900000002"],
        subject="This is a test",
        parts=[
            ("application/smil", None, "main.smil", 386, True, False),
            ("image/gif", "image/gif", "Bomb.gif", 4148, False, True),
        ],
        slides_source="smil",
        slides=[[("image", 1, "Image")]],
        no_warnings=True,
    ),
    "mm7_deliverreq_instantcom_caixin_8bit.txt": Expect(
        kind="DeliverReq",
        sender="+8618703815655",
        to=["10085"],
        subject="Weather Forecast",
        parts=[
            ("application/smil", None, "smil.xml", 375, True, False),
            ("image/jpeg", "image/jpeg", "1447137257000.jpg", 87839, False, True),
            ("text/plain", None, "text_0.txt", 11, False, True),
        ],
        slides_source="smil",
        slides=[[("image", 1, "Image"), ("text", 2, "Text")]],
        text="524测试\r\n",
        warnings=["'1447137257000.jpg' (image/jpeg) was sent as 8-bit binary and its bytes"],
        extra={"layout": (540, 960, ["Image", "Text"])},
    ),
    "instantcom-deliver-req-post.txt": Expect(
        kind="DeliverReq",
        sender="97254265781@OMMS.com",
        to=[],
        subject="Weather Forecast",
        parts=[("text/plain", None, None, 24, False, False)],
        slides_source="fallback",
        slides=[[("text", 0, None)]],
        text="Los Angeles, Calif, USA ",
        warnings=["points to its content as 'cid:forecast-location200102-86453'"],
    ),
    "instantcom-deliver-req1.txt": Expect(
        kind="DeliverReq",
        sender="97254265781@OMMS.com",
        to=[],
        subject="Weather Forecast",
        parts=[("text/plain", None, None, 24, False, False)],
        slides_source="fallback",
        slides=[[("text", 0, None)]],
        text="Los Angeles, Calif, USA ",
    ),
    "instantcom-deliver-req2.txt": Expect(
        kind="DeliverReq",
        sender="97254265781@OMMS.com",
        to=[],
        subject="Weather Forecast",
        parts=[
            ("text/plain", None, None, 37, False, False),
            ("image/gif", "image/gif", None, 57, False, False),
        ],
        slides_source="fallback",
        slides=[[("text", 0, None)], [("image", 1, None)]],
        text="Science news, new Saturn pictures...\n",
        warnings=["points to its content as 'cid:forecast-location2000102-86453'"],
    ),
    "instantcom-deliver-req5.txt": Expect(
        kind="DeliverReq",
        sender="+381600001200",
        to=["121399"],
        subject="(no subject)",
        parts=[
            ("application/smil", None, "smil.xml", 305, True, False),
            ("image/jpeg", None, "DCIM_11.jpg", 18060, False, True),
        ],
        slides_source="smil",
        slides=[[("image", 1, "Image")]],
        warnings=["its bytes are corrupt (a UTF-8 conversion damaged them)"],
        extra={"layout": (240, 320, ["Image", "Text"]), "duration": 5000},
    ),
    "bardug-submit-req1.txt": Expect(
        kind="SubmitReq",
        sender="+13056024143",
        to=["+12345678903"],
        subject=None,
        parts=[
            ("text/plain", None, None, 12, False, False),
            ("image/jpeg", "image/jpeg", "84TPF.jpg", 73248, False, False),
        ],
        slides_source="fallback",
        slides=[[("text", 0, None)], [("image", 1, None)]],
        text="message text",
        warnings=["no SMIL presentation"],
    ),
    "sinch-mm7-submit-full.txt": Expect(
        kind="SubmitReq",
        sender="111122",
        to=["16179593069"],
        subject="My first MM7 Message",
        parts=[
            ("text/plain", None, None, 13, False, True),
            ("application/smil", None, None, 271, True, False),
        ],
        slides_source="smil",
        slides=[[("text", 0, "Text")]],
        text="MM7 Test Text",
        no_warnings=True,
    ),
    "sinch-mm7-deliveryreport-full.txt": Expect(
        kind="DeliveryReportReq",
        sender="111122",
        to=["16175550123"],
        subject=None,
        parts=[],
        slides_source="fallback",
        slides=[],
        warnings=["DeliveryReportReq, not a message"],
    ),
}


def test_every_mm7_file_has_expectations() -> None:
    assert _listing("mm7") == sorted(MM7)


@pytest.mark.parametrize("name", sorted(MM7))
def test_mm7_file_decodes(name: str) -> None:
    exp = MM7[name]
    mms = decode_mms(_read("mm7", name))
    env = mms.envelope
    assert env.message_kind == exp.kind
    assert env.sender == exp.sender
    assert env.to == exp.to
    assert env.cc == exp.cc
    assert env.bcc == exp.bcc
    assert env.subject == exp.subject
    got_parts = [
        (p.content_type, p.detected_type, p.name, p.size, p.is_smil, p.in_smil) for p in mms.parts
    ]
    expected_parts = [
        (ct, dt, nm, got[3] if size is None else size, smil, ins)
        for (ct, dt, nm, size, smil, ins), got in zip(exp.parts, got_parts, strict=False)
    ]
    assert got_parts == expected_parts
    assert [p.index for p in mms.parts] == list(range(len(mms.parts)))
    assert mms.slides_source == exp.slides_source
    assert [[(i.kind, i.part, i.region) for i in s.items] for s in mms.slides] == exp.slides
    assert mms.text == exp.text
    for fragment in exp.warnings:
        assert any(fragment in w for w in mms.warnings), (fragment, mms.warnings)
    if exp.no_warnings:
        assert mms.warnings == []
    if "layout" in exp.extra:
        width, height, regions = exp.extra["layout"]
        assert mms.layout is not None
        assert (mms.layout.root_width, mms.layout.root_height) == (width, height)
        assert sorted(mms.layout.regions) == sorted(regions)
    if "duration" in exp.extra:
        assert mms.slides[0].duration_ms == exp.extra["duration"]


def test_str_input_matches_bytes_for_utf8_file() -> None:
    raw = _read("mm7", "sinch-mm7-submit-full.txt")
    assert decode_mms(raw.decode("utf-8")).parts[0].data == decode_mms(raw).parts[0].data


def test_transaction_ids_and_versions() -> None:
    mms = decode_mms(_read("mm7", "mm7_deliverreq_instantcom_nokia_req3.txt"))
    assert mms.envelope.transaction_id == "4E073C7AQ479306TW26785I371H3M1HA"
    assert mms.envelope.mm7_version == "6.8.0"
    assert mms.envelope.timestamp == "2010-04-02T10:52:26Z"
    assert mms.envelope.content_href == "cid:57626X20-1VO9-A93941F7"
    mms = decode_mms(_read("mm7", "instantcom-deliver-req5.txt"))
    assert mms.envelope.content_href == "cid: content_15"
    assert not any("points to its content" in w for w in mms.warnings)


def test_bardug_long_base64_line_is_a_jpeg() -> None:
    mms = decode_mms(_read("mm7", "bardug-submit-req1.txt"))
    jpeg = mms.parts[1]
    assert jpeg.data.startswith(b"\xff\xd8\xff")
    assert jpeg.content_id == "84TPF"
    assert jpeg.content_location == "84TPF.jpg"
    assert len(jpeg.sha256) == 64


def test_nokia_base64_smil_and_content_location() -> None:
    mms = decode_mms(_read("mm7", "mm7_deliverreq_instantcom_nokia_req3.txt"))
    assert mms.parts[0].text().startswith("<smil>")
    assert mms.parts[0].content_id == "AAAA"
    assert mms.slides[0].items[0].src == "Bomb.gif"


# --------------------------------------------------------------------------- SMIL

# file -> (slide count, [[(kind, src, region)] per slide], durations, root (w, h), region ids)
SMIL: dict[
    str,
    tuple[
        int,
        list[list[tuple[str, str, str | None]]],
        list[int | None],
        tuple[int | None, int | None] | None,
        list[str],
    ],
] = {
    "BTMMS.smil": (
        2,
        [
            [("image", "btlogo.gif", "Image"), ("audio", "catchy_g.amr", None)],
            [("text", "btmms.txt", "Text")],
        ],
        [6825, 3000],
        (None, None),
        ["Image", "Text"],
    ),
    "gallery2test.smil": (
        1,
        [[("image", "cid:image_0", "Image"), ("text", "cid:text_0", "Text")]],
        [30000],
        (None, None),
        ["Text", "Image"],
    ),
    "iPhone.smil": (
        1,
        [[("image", "IMG_6807.jpg", "Image")]],
        [10000],
        (None, None),
        ["Text", "Image"],
    ),
    "images_are_cut_off_debug.smil": (
        1,
        [[("image", "cid:Picture3.jpg", "Top")]],
        [5000],
        (128, 160),
        ["Top", "Bottom"],
    ),
    "instantcom-smil-sample.xml": (
        2,
        [[("image", "cid:image", None)], [("text", "cid:text", None)]],
        [3000, 7000],
        None,
        [],
    ),
    "instantcom-smil-sample2.xml": (
        1,
        [[("image", "cid:image", "Image"), ("text", "cid:text", "Text")]],
        [5000],
        (101, 80),
        ["Text", "Image"],
    ),
    "m.smil": (
        7,
        [
            [("text", "Text0000.txt", "text")],
            [("text", "Text0001.txt", "text")],
            [("text", "Text0007.txt", "text")],
            [("text", "Text0008.txt", "text"), ("audio", "gold102.amr", None)],
            [("text", "Text0002.txt", "text")],
            [("text", "Text0003.txt", "text")],
            [("text", "Text0006.txt", "text")],
        ],
        [3000, 2000, 2000, 6000, 1500, 1500, 10000],
        (None, None),
        ["text"],
    ),
    "ofono-rc-mms-1-3-con-210.smil": (
        1,
        [
            [
                (
                    "image",
                    "Long_file_name_for_gif_image_60X80_with_non_ASCII_characters_ooo"
                    "_Length_is_93_characters.gif",
                    "Image",
                )
            ]
        ],
        [None],
        (120, 160),
        ["Image"],
    ),
    "ofono-rc-mms-1-3-con-211.smil": (
        1,
        [[("text", "cid:Generic_Text.txt", "Text")]],
        [None],
        (120, 160),
        ["Image", "Text"],
    ),
    "pymessaging-27d0a048.smil": (
        1,
        [[("image", "Rain.wbmp", "Image"), ("text", "mms.txt", "Text")]],
        [2000],
        (160, 240),
        ["Image", "Text"],
    ),
    "pymessaging-NOWMMS.smil": (
        2,
        [
            [
                ("image", "pic1.gif", "Image"),
                ("text", "Text0000.txt", "Text"),
                ("audio", "catchy_g.amr", None),
            ],
            [("text", "Text0001.txt", "Text")],
        ],
        [6825, 3000],
        (None, None),
        ["Image", "Text"],
    ),
    "pymessaging-SonyEricssonT310-R201.smil": (
        1,
        [
            [
                ("image", "Tony.gif", "Image"),
                ("text", "mms.txt", "Text"),
                ("audio", "OldhPhone.mid", None),
            ]
        ],
        [2000],
        (160, 240),
        ["Image", "Text"],
    ),
    "pymessaging-TOMSLOT.smil": (
        5,
        [
            [("image", "img00.jpg", "Image")],
            [("image", "img01.jpg", "Image")],
            [("image", "img02.jpg", "Image")],
            [("image", "img03.jpg", "Image")],
            [
                ("image", "img04.jpg", "Image"),
                ("text", "txt04.txt", "Text"),
                ("audio", "aud04.amr", None),
            ],
        ],
        [1000, 1000, 1000, 1000, 22000],
        (132, 176),
        ["Image", "Text"],
    ),
    "pymessaging-openwave.smil": (
        1,
        [[("text", "cid:text_0", "Text")]],
        [30000],
        (None, None),
        ["Text", "Image"],
    ),
    "pymessaging-projekt_exempel.smil": (
        1,
        [[("text", "mms.txt", "Text"), ("image", "SonyhEr.gif", "Image")]],
        [2000],
        (160, 240),
        ["Image", "Text"],
    ),
}


def test_every_smil_file_has_expectations() -> None:
    assert _listing("smil") == sorted(SMIL)


@pytest.mark.parametrize("name", sorted(SMIL))
def test_smil_file_parses(name: str) -> None:
    count, items, durations, root, regions = SMIL[name]
    doc = parse_smil(_read("smil", name))
    assert len(doc.slides) == count
    assert [[(i.kind, i.src, i.region) for i in s.items] for s in doc.slides] == items
    assert [s.duration_ms for s in doc.slides] == durations
    if root is None:
        assert doc.layout is None
    else:
        assert doc.layout is not None
        assert (doc.layout.root_width, doc.layout.root_height) == root
        assert list(doc.layout.regions) == regions


def test_smil_begin_end_items() -> None:
    doc = parse_smil(_read("smil", "BTMMS.smil"))
    audio = doc.slides[0].items[1]
    assert (audio.begin_ms, audio.end_ms) == (350, 6350)
    doc = parse_smil(_read("smil", "m.smil"))
    assert doc.slides[3].items[1].begin_ms == 1000  # audio start="1000ms"
    doc = parse_smil(_read("smil", "images_are_cut_off_debug.smil"))
    assert doc.layout is not None
    top = doc.layout.regions["Top"]
    assert (top.left, top.top, top.width, top.height, top.fit) == ("0", "0", "100%", "50%", None)


# --------------------------------------------------------------------------- vCard

# file -> [(name, phone count, email count, has photo, parsed by vobject)]
VCARDS: dict[str, list[tuple[str | None, int, int, bool, bool]]] = {
    "aosp-vcard-v21_blackberry_photo.vcf": [("boogie", 2, 1, True, True)],
    "aosp-vcard-v21_complicated.vcf": [("Joe Due", 5, 2, True, True)],
    "aosp-vcard-v21_japanese_2.vcf": [("安藤 ロイド 1", 0, 0, False, False)],
    "aosp-vcard-v21_nest.vcf": [
        ("parent", 1, 0, False, True),
        ("nest1", 0, 0, False, True),
        ("nest2", 0, 0, False, True),
    ],
    "aosp-vcard-v30_ios_613_multiline.vcf": [("Bob Smith", 1, 1, True, True)],
    "ezvcard_John_Doe_ANDROID.vcf": [
        (None, 0, 1, False, True),
        (None, 0, 1, False, True),
        ("Ñ Ñ Ñ Ñ Ñ", 1, 0, False, True),
        ("Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", 4, 0, False, True),
        ("Ñ Ñ Ñ Ñ", 3, 2, True, False),
        ("ÑÑÑÑ", 1, 1, False, False),
    ],
    "ezvcard_John_Doe_BLACK_BERRY.vcf": [("John Doe", 1, 0, True, True)],
    "ezvcard_John_Doe_IPHONE.vcf": [("Mr. John Richter James Doe Sr.", 7, 1, True, True)],
    "ezvcard_outlook-2007.vcf": [("Mr. Michael Angstadt Jr.", 4, 1, True, True)],
    "ezvcard_rfc6350-example.vcf": [("Simon Perreault", 2, 1, False, True)],
}


def test_every_vcard_file_has_expectations() -> None:
    assert _listing("vcard") == sorted(VCARDS)


@pytest.mark.parametrize("name", sorted(VCARDS))
def test_vcard_file(name: str) -> None:
    cards, _warnings = parse_vcards(_read("vcard", name))
    got = [(c.name, len(c.phones), len(c.emails), c.photo is not None, c.parsed) for c in cards]
    assert got == VCARDS[name]
    for card in cards:
        assert card.raw.lstrip().upper().startswith("BEGIN:VCARD")


def test_vcard_details() -> None:
    (card,) = parse_vcards(_read("vcard", "aosp-vcard-v21_complicated.vcf"))[0]
    assert card.org == "Gump Shrimp Co., Sales Dept.;Manager, Fish keeper"
    assert card.addresses[0] == "100 Waters Edge, Baytown, LA, 30314, United States of America"
    assert card.photo_type == "image/jpeg"
    (card,) = parse_vcards(_read("vcard", "aosp-vcard-v21_japanese_2.vcf"))[0]
    assert card.addresses == ["東京都渋谷区桜丘町26-1セルリアンタワー6階, 150-8512"]
    (card,) = parse_vcards(_read("vcard", "aosp-vcard-v21_blackberry_photo.vcf"))[0]
    assert card.photo_type == "image/png"
    (card,) = parse_vcards(_read("vcard", "ezvcard_rfc6350-example.vcf"))[0]
    assert card.phones == ["+1-418-656-9254;ext=102", "+1-418-262-6501"]
    assert card.org == "Viagenie"


# --------------------------------------------------------------------------- mms-email

# file -> declared content types of the leaves, in order
EMAIL: dict[str, list[str | None]] = {
    "mms2r-alltel-mms-01.mail": [
        "text/html",
        "image/jpeg",
        "image/gif",
        "image/jpeg",
        "image/jpeg",
    ],
    "mms2r-dobson-image-01.mail": ["application/smil", "image/jpeg", "text/plain"],
    "mms2r-mms.mycricket.com-pic-and-text.mail": ["text/html", "image/jpeg", "text/plain"],
    "mms2r-o2-de-image-01.mail": ["text/plain", "text/html", "image/jpeg", "image/jpeg"],
    "mms2r-orangefrance-text-and-image.mail": [
        "application/smil",
        "image/jpeg",
        "text/plain",
        "text/plain",
    ],
    "mms2r-tmobile-image-02.mail": ["text/html", "text/plain", "image/jpeg"] + ["image/gif"] * 5,
    "mms2r-verizon-video-01.mail": ["text/plain", "video/3gpp2"],
}


def test_every_email_file_has_expectations() -> None:
    assert _listing("mms-email") == sorted(EMAIL)


@pytest.mark.parametrize("name", sorted(EMAIL))
def test_email_body_through_mime_layer(name: str) -> None:
    root, _warnings = parse_mime(_read("mms-email", name))
    leaves = [leaf for leaf, _anc in iter_leaves(root)]
    assert [leaf.content_type for leaf in leaves] == EMAIL[name]
    for leaf in leaves:
        data, _problem = leaf.decode_body()
        assert isinstance(data, bytes)
    mms = decode_mms(_read("mms-email", name))
    assert len(mms.parts) == len(EMAIL[name])


def test_email_quirks() -> None:
    mms = decode_mms(_read("mms-email", "mms2r-alltel-mms-01.mail"))
    assert any("'<mms.smil.txt>'" in w for w in mms.warnings)
    mms = decode_mms(_read("mms-email", "mms2r-o2-de-image-01.mail"))
    assert "übermittelt" in mms.parts[0].text()  # QP ISO-8859-1
    mms = decode_mms(_read("mms-email", "mms2r-orangefrance-text-and-image.mail"))
    assert "abonné" in mms.parts[3].text()  # raw 8-bit Latin-1
    assert mms.slides_source == "smil"
    mms = decode_mms(_read("mms-email", "mms2r-verizon-video-01.mail"))
    assert mms.parts[1].detected_type == "video/3gpp2"


def test_corpus_path_is_beside_repo() -> None:
    assert CORPUS is not None
    assert (Path(__file__).resolve().parents[2].parent / "shared" / "corpus").resolve() == (
        CORPUS.resolve()
    )
