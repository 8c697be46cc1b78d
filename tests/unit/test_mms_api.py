"""decode_mms contract: policies, warnings, resolution, text order, performance."""

from __future__ import annotations

import base64
import os
import time

import pytest

from msgcopy_viewer.core.mms import MmsError, decode_mms

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
SOAP = (
    b'--b\r\nContent-Type: text/xml; charset="utf-8"\r\nContent-ID: <soap>\r\n\r\n'
    b'<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
    b'<env:Body><mm7:DeliverReq xmlns:mm7="urn:mm7"><mm7:Sender><mm7:Number>+1/TYPE=PLMN'
    b"</mm7:Number></mm7:Sender><mm7:Recipients><mm7:To><mm7:Number>+2</mm7:Number></mm7:To>"
    b"<mm7:To><mm7:Number>+3</mm7:Number></mm7:To></mm7:Recipients><mm7:Subject>S</mm7:Subject>"
    b'<mm7:Content href="cid:c"/></mm7:DeliverReq></env:Body></env:Envelope>\r\n'
)


def part(headers: str, body: bytes, boundary: bytes = b"i") -> bytes:
    return b"--" + boundary + b"\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"


def message(*inner: bytes, start: str = "<s>") -> bytes:
    return (
        SOAP
        + b'--b\r\nContent-Type: multipart/related; boundary=i; type=application/smil; start="'
        + start.encode()
        + b'"\r\nContent-ID: <c>\r\n\r\n'
        + b"".join(inner)
        + b"--i--\r\n--b--\r\n"
    )


def jpeg(size: int = 200) -> bytes:
    return JPEG_HEAD + b"\x00\x01" * (size // 2)


def test_full_smil_message() -> None:
    smil = (
        b'<smil><head><layout><root-layout width="320" height="240"/><region id="Image" top="0"/>'
        b'</layout></head><body><par dur="5s"><img src="cid: pic" region="Image"/>'
        b'<text src="Hello%20World.TXT"/></par><par dur="2s"><audio src="missing.amr"/></par>'
        b"</body></smil>"
    )
    data = message(
        part("Content-Type: application/smil\r\nContent-ID: <s>", smil),
        part(
            'Content-Type: image/jpeg; Name="p.jpg"\r\nContent-ID: pic\r\n'
            "Content-Transfer-Encoding: base64",
            base64.encodebytes(jpeg()),
        ),
        part(
            "Content-Type: text/plain; charset=106\r\nContent-Location: hello world.txt",
            "héllo".encode(),
        ),
        part("Content-Type: text/plain; charset=4", "unreferenced é".encode("latin-1")),
    )
    mms = decode_mms(data)
    env = mms.envelope
    assert (env.sender, env.to, env.subject) == ("+1", ["+2", "+3"], "S")
    assert mms.slides_source == "smil"
    assert [[(i.kind, i.part) for i in s.items] for s in mms.slides] == [
        [("image", 1), ("text", 2)],
        [("audio", None)],
    ]
    assert [p.in_smil for p in mms.parts] == [False, True, True, False]
    assert mms.parts[0].is_smil
    assert mms.parts[1].detected_type == "image/jpeg"
    assert mms.parts[1].name == "p.jpg"
    assert mms.text == "héllo\nunreferenced é"
    assert "SMIL refers to 'missing.amr', which is not in the message." in mms.warnings
    assert mms.layout is not None and mms.layout.root_width == 320


def test_fallback_slides_media_plus_following_text() -> None:
    data = message(
        part("Content-Type: text/plain", b"intro"),
        part("Content-Type: image/jpeg", jpeg()),
        part("Content-Type: text/plain", b"caption"),
        part("Content-Type: audio/amr", b"#!AMR\n" + b"\x00" * 20),
        part(
            "Content-Type: text/x-vcard; name=a.vcf",
            b"BEGIN:VCARD\r\nFN:Zed\r\nTEL:5\r\nEND:VCARD\r\n",
        ),
        start="<nothing>",
    )
    mms = decode_mms(data)
    assert mms.slides_source == "fallback"
    assert [[(i.kind, i.part) for i in s.items] for s in mms.slides] == [
        [("text", 0)],
        [("image", 1), ("text", 2)],
        [("audio", 3)],
    ]
    assert not any(p.in_smil for p in mms.parts)
    assert any("'<nothing>'" in w for w in mms.warnings)
    assert [(c.part, c.name, c.phones) for c in mms.contacts] == [(4, "Zed", ["5"])]
    assert mms.text == "intro\ncaption"


def test_unparseable_smil_falls_back_with_warning() -> None:
    data = message(
        part("Content-Type: application/smil\r\nContent-ID: <s>", b"<smil><body><par>"),
        part("Content-Type: image/jpeg", jpeg()),
    )
    mms = decode_mms(data)
    assert mms.slides_source == "fallback"
    assert len(mms.slides) == 1
    assert any("could not be read" in w for w in mms.warnings)


def test_utf8_mangled_8bit_jpeg_is_a_warning() -> None:
    mangled = jpeg(2000).decode("latin-1").encode("utf-8")  # not quite UTF-8 damage
    broken = b"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" + mangled
    data = message(part("Content-Type: image/jpeg\r\nContent-Transfer-Encoding: 8bit", broken))
    mms = decode_mms(data)
    assert mms.parts[0].data == broken
    assert any(
        "was sent as 8-bit binary and its bytes are corrupt (a UTF-8 conversion damaged them)" in w
        for w in mms.warnings
    )


def test_truncated_message_keeps_parts_and_warns() -> None:
    data = message(
        part("Content-Type: text/plain", b"kept"), part("Content-Type: image/jpeg", jpeg())
    )
    cut = data[: data.index(b"--i--")] + b"\r\n"
    cut = cut[:-60]
    mms = decode_mms(cut)
    assert mms.parts[0].data == b"kept"
    assert any("truncated" in w for w in mms.warnings)


def test_delivery_report_is_returned_not_raised() -> None:
    body = (
        b'POST / HTTP/1.1\r\nContent-Type: multipart/related; type="text/xml";\r\n\r\n'
        b'<?xml version="1.0"?><Envelope><Body><DeliveryReportReq><MM7Version>6.8.0</MM7Version>'
        b"<Recipient><Number>1</Number></Recipient><Sender><Number>2</Number></Sender>"
        b"</DeliveryReportReq></Body></Envelope>"
    )
    mms = decode_mms(body)
    assert mms.envelope.message_kind == "DeliveryReportReq"
    assert mms.parts == [] and mms.slides == []
    assert any("not a message" in w for w in mms.warnings)


@pytest.mark.parametrize("junk", [b"", b"   \r\n", "hello world", b"\x00\x01\x02garbage"])
def test_not_mms_raises_mms_error(junk: bytes | str) -> None:
    with pytest.raises(MmsError):
        decode_mms(junk)


def test_mms_error_is_value_error() -> None:
    assert issubclass(MmsError, ValueError)


def test_part_text_never_raises() -> None:
    data = message(part("Content-Type: text/plain; charset=klingon", b"\xff\xfeabc"))
    assert decode_mms(data).parts[0].text() == "ÿþabc"


def test_five_megabyte_message_is_fast() -> None:
    blob = JPEG_HEAD + os.urandom(5 * 1024 * 1024)
    data = message(
        part(
            "Content-Type: image/jpeg; name=big.jpg\r\nContent-Transfer-Encoding: base64",
            base64.encodebytes(blob),
        )
    )
    decode_mms(data)  # warm-up
    start = time.perf_counter()
    mms = decode_mms(data)
    _ = mms.parts[0].sha256
    elapsed = time.perf_counter() - start
    assert mms.parts[0].data == blob
    assert elapsed < 0.5  # typically ~30 ms; generous for slow CI
