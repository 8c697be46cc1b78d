"""Property-based robustness: mutated MM7 text never raises anything but MmsError."""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    from corpus_paths import corpus_dir
except ImportError:  # pragma: no cover
    from tests.unit.corpus_paths import corpus_dir

from msgcopy_viewer.core.mms import DecodedMms, MmsError, decode_mms
from msgcopy_viewer.core.smil import SmilError, parse_smil

FUZZ = settings(
    max_examples=60,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

GIF = base64.b64decode(b"R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


def synthetic() -> bytes:
    b64 = base64.encodebytes(GIF)
    return (
        b"-----mime-1\r\n"
        b'Content-Type: text/xml; charset="utf-8"\r\n'
        b"Content-ID: <soap>\r\n\r\n"
        b'<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<env:Body><DeliverReq><Sender><Number>+15551230000/TYPE=PLMN</Number></Sender>"
        b"<Recipients><To><Number>+15559990000</Number></To></Recipients>"
        b'<Subject>Hi</Subject><Content href="cid:c"/></DeliverReq></env:Body></env:Envelope>\r\n'
        b"-----mime-1\r\n"
        b'Content-Type: multipart/related; boundary="---mime-2"; start="<s>"\r\n'
        b"Content-ID: <c>\r\n\r\n"
        b"-----mime-2\r\n"
        b"Content-Type: application/smil\r\nContent-ID: <s>\r\n\r\n"
        b'<smil><body><par dur="5s"><img src="cid:i"/><text src="t.txt"/></par></body></smil>\r\n'
        b"-----mime-2\r\n"
        b'Content-Type: image/gif; name="a.gif"\r\nContent-ID: <i>\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b64 + b"\r\n"
        b"-----mime-2\r\n"
        b"Content-Type: text/plain; charset=106\r\nContent-Location: t.txt\r\n\r\n"
        b"hello \xe2\x9c\x93\r\n"
        b"-----mime-2--\r\n"
        b"-----mime-1--\r\n"
    )


def _seeds() -> list[bytes]:
    seeds = [synthetic()]
    base = corpus_dir()
    if base is not None:
        for name in (
            "instantcom-deliver-req5.txt",
            "mm7_submitreq_savon_multipart.txt",
            "mm7_deliverreq_sinch_docs_example.txt",
            "mm7_deliverreq_instantcom_nokia_req3.txt",
        ):
            seeds.append((base / "real" / "mm7" / name).read_bytes()[:6000])
    return seeds


SEEDS = _seeds()


def _check(data: bytes) -> None:
    start = time.perf_counter()
    try:
        result = decode_mms(data)
    except MmsError:
        return
    finally:
        assert time.perf_counter() - start < 2.0
    assert isinstance(result, DecodedMms)
    for part in result.parts:
        part.text()
        assert part.size == len(part.data)
    for slide in result.slides:
        for item in slide.items:
            assert item.part is None or 0 <= item.part < len(result.parts)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "dup_delim", "delete", "crlf"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(
                st.sampled_from(
                    [b"\r\n", b"--", b"-----mime-1\r\n", b"=", b"<", b"\x00", b";", b"cid:"]
                )
                | st.binary(max_size=16)
            )
        elif op == "dup_delim":
            line_end = data.find(b"\n")
            line = bytes(data[: line_end + 1]) if line_end >= 0 else b"--x\r\n"
            data[pos:pos] = line * draw(st.integers(1, 3))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            data[:] = data.replace(b"\r\n", b"\n")
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutations_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=40, deadline=2000, derandomize=True, database=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=30, deadline=2000, derandomize=True, database=None)
@given(st.text(max_size=300))
def test_random_text_never_crash(text: str) -> None:
    _check(("--b\r\n" + text).encode("utf-8", "surrogatepass"))


def test_synthetic_decodes() -> None:
    mms = decode_mms(synthetic())
    assert mms.envelope.sender == "+15551230000"
    assert mms.slides_source == "smil"
    assert mms.parts[1].data == GIF
    assert mms.text == "hello ✓"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def test_entity_expansion_smil_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(SmilError):
        parse_smil(BILLION_LAUGHS + '<smil><body><par><text src="&lol9;"/></par></body></smil>')
    assert time.perf_counter() - start < 1.0


def test_entity_expansion_soap_is_a_warning_not_a_hang() -> None:
    soap = (
        BILLION_LAUGHS + "<Envelope><Body><DeliverReq><Subject>&lol9;</Subject>"
        "</DeliverReq></Body></Envelope>"
    )
    body = (
        "--b\r\nContent-Type: text/xml\r\n\r\n" + soap + "\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"
    ).encode()
    start = time.perf_counter()
    mms = decode_mms(body)
    assert time.perf_counter() - start < 1.0
    assert any("refused for safety" in w for w in mms.warnings)
    assert mms.envelope.message_kind == "DeliverReq"
    assert mms.envelope.subject is not None and len(mms.envelope.subject) < 100
    assert mms.text == "hi"


def test_entity_expansion_smil_inside_message_falls_back() -> None:
    smil = BILLION_LAUGHS + '<smil><body><par><img src="a.gif"/></par></body></smil>'
    body = (
        b"--b\r\nContent-Type: application/smil\r\n\r\n" + smil.encode() + b"\r\n"
        b"--b\r\nContent-Type: image/gif\r\nContent-Location: a.gif\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(GIF) + b"\r\n--b--\r\n"
    )
    mms = decode_mms(body)
    assert mms.slides_source == "fallback"
    assert [[i.part for i in s.items] for s in mms.slides] == [[1]]
    assert any("could not be read" in w for w in mms.warnings)
