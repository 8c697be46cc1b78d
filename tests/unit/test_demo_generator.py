"""Tests for the deterministic demo-data generator (msgcopy_viewer.demo)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
import wave
from pathlib import Path

import pytest
from PIL import Image

from msgcopy_viewer.demo.generator import (
    DemoFile,
    DemoSummary,
    event_file_bytes,
    generate_demo,
    generate_mms_heavy,
    generate_sms_corpus,
    write_event_file,
)
from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

N_MESSAGES = 300
VALID_KINDS = {"sms", "mms", "retry"}
EVENT_KEYS = [
    "direction",
    "startTime",
    "subscriberParty",
    "otherParty",
    "message",
    "messageType",
    "messageContentType",
]
START_TIME = re.compile(r"^2024-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?([+-]\d{4}|Z)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return generate_demo(tmp_path_factory.mktemp("demo_a"), N_MESSAGES, seed=7)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _event(data: bytes) -> dict[str, object]:
    doc = json.loads(data.decode("utf-8-sig"))
    assert isinstance(doc, dict)
    assert list(doc) == ["smsEvent"]
    events = doc["smsEvent"]
    assert isinstance(events, list) and len(events) == 1
    event = events[0]
    assert isinstance(event, dict)
    return event


def _split_parts(message: str) -> list[tuple[dict[str, str], str]]:
    """Minimal MM7 splitter: every part between `-----mime-` delimiters, leaf parts only."""
    parts: list[tuple[dict[str, str], str]] = []
    chunks = re.split(r"\r\n(?=-----mime-)|^(?=-----mime-)", message)
    for chunk in chunks:
        if not chunk.startswith("-----mime-") or chunk.rstrip().endswith("--"):
            continue
        _delim, _, rest = chunk.partition("\r\n")
        head, _, body = rest.partition("\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if headers.get("content-type", "").startswith("multipart/"):
            continue
        parts.append((headers, body))
    return parts


def _payload(headers: dict[str, str], body: str) -> bytes:
    if headers.get("content-transfer-encoding", "").lower() == "base64":
        return base64.b64decode("".join(body.split()))
    return body.encode("utf-8")


def test_deterministic_same_seed(tmp_path: Path) -> None:
    first = generate_demo(tmp_path / "a", 120, seed=7)
    again = generate_demo(tmp_path / "b", 120, seed=7)
    assert _tree(first.outdir) == _tree(again.outdir)
    assert first.files == again.files
    other = generate_demo(tmp_path / "c", 120, seed=8)
    assert _tree(other.outdir) != _tree(first.outdir)


def test_file_count_and_kinds(demo: DemoSummary) -> None:
    on_disk = _tree(demo.outdir)
    assert sorted(on_disk) == sorted(f.relpath for f in demo.files)
    kinds = [f.kind for f in demo.files]
    assert kinds.count("sms") + kinds.count("mms") == N_MESSAGES == demo.messages
    assert kinds.count("malformed") == 4
    assert kinds.count("retry") == 2
    assert kinds.count("junk") == 2
    assert any(f.relpath == ".DS_Store" for f in demo.files)
    assert any(f.relpath.startswith("__MACOSX/") for f in demo.files)
    assert 0.05 <= kinds.count("mms") / N_MESSAGES <= 0.3
    assert demo.subscribers >= 6
    assert demo.conversations >= 50


def test_valid_files_have_vendor_shape(demo: DemoSummary) -> None:
    for f in demo.files:
        data = (demo.outdir / f.relpath).read_bytes()
        if f.kind not in VALID_KINDS:
            continue
        event = _event(data)
        assert sorted(event) == sorted(EVENT_KEYS), f.relpath
        assert event["direction"] in ("mo", "mt")
        assert START_TIME.match(str(event["startTime"])), event["startTime"]
        sub = event["subscriberParty"]
        assert isinstance(sub, dict) and sorted(sub) == ["did", "domain", "mobile", "subrId"]
        assert re.fullmatch(r"1946555\d{4}|447700900\d{3}", sub["mobile"])
        other = event["otherParty"]
        assert isinstance(other, dict) and isinstance(other["number"], str) and other["number"]
        if event["messageType"] == "sms":
            assert event["messageContentType"] == "text/plain; charset=UTF-8"
        else:
            assert event["messageType"] == "mms"
            assert f.kind == "mms" and f.mms is not None
            ctype = str(event["messageContentType"])
            assert ctype.startswith("multipart/related;") and 'boundary="---mime-' in ctype
            message = str(event["message"])
            assert message.startswith("-----mime-")
            assert "\r\n" in message and "\n" not in message.replace("\r\n", "")


def test_vendor_format_matches_example(tmp_path: Path) -> None:
    event = {
        "direction": "mo",
        "startTime": "2024-09-16T19:30:39.090+0000",
        "subscriberParty": {"domain": "d", "mobile": "1", "did": "1", "subrId": "s"},
        "otherParty": {"number": "12145555273"},
        "message": "This is SMS one 😀.",
        "messageType": "sms",
        "messageContentType": "text/plain; charset=UTF-8",
    }
    write_event_file(tmp_path / "x.json", event)
    text = (tmp_path / "x.json").read_text("utf-8")
    assert text.startswith('{\n   "smsEvent" : [ {\n      "direction" : "mo",\n')
    assert text.endswith('"text/plain; charset=UTF-8"\n   } ]\n}')
    assert '"message" : "This is SMS one 😀."' in text
    assert json.loads(text) == {"smsEvent": [event]}
    assert event_file_bytes(event) == text.encode("utf-8")


def test_quirks_present(demo: DemoSummary) -> None:
    times: list[str] = []
    boms = 0
    no_ext = 0
    for f in demo.files:
        data = (demo.outdir / f.relpath).read_bytes()
        if f.kind == "sms":
            boms += data.startswith(b"\xef\xbb\xbf")
            no_ext += "." not in f.relpath.rsplit("/", 1)[-1]
            times.append(str(_event(data)["startTime"]))
    assert boms == 1 and no_ext == 1
    assert any(t.endswith("-0800") for t in times)
    assert any(t.endswith("Z") for t in times)
    assert any(re.search(r":\d\d\+0000$", t) for t in times)

    malformed = [
        (demo.outdir / f.relpath).read_bytes() for f in demo.files if f.kind == "malformed"
    ]
    broken = 0
    for data in malformed:
        try:
            doc = json.loads(data)
        except json.JSONDecodeError:
            broken += 1
            continue
        if "smsEvent" not in doc:
            continue  # JSON, but not a Message Copy document
        event = doc["smsEvent"][0]
        assert "direction" not in event or not START_TIME.match(event["startTime"])
    assert broken == 1

    retries = [(demo.outdir / f.relpath).read_bytes() for f in demo.files if f.kind == "retry"]
    originals = {
        (demo.outdir / f.relpath).read_bytes() for f in demo.files if f.kind in ("sms", "mms")
    }
    assert sum(r in originals for r in retries) == 1  # exact byte duplicate
    events = [_event(d) for d in originals]
    assert all(_event(r) in events for r in retries)  # both re-send a known event


def test_numbers_and_senders(demo: DemoSummary) -> None:
    numbers: list[str] = []
    for f in demo.files:
        if f.kind in ("sms", "mms"):
            other = _event((demo.outdir / f.relpath).read_bytes())["otherParty"]
            assert isinstance(other, dict)
            numbers.append(other["number"])
    assert any(n.startswith("+1 (") for n in numbers)
    assert any(re.fullmatch(r"0\d{10}", n) for n in numbers)
    assert any(re.fullmatch(r"\d{10}", n) for n in numbers)
    assert any(n.isalpha() for n in numbers)  # alphanumeric senders
    assert any(re.fullmatch(r"\d{5,6}", n) for n in numbers)  # short codes


def test_mms_media_round_trip(demo: DemoSummary) -> None:
    seen_types: set[str] = set()
    gif_frames = 0
    wav_ok = False
    for f in demo.files:
        if f.kind != "mms":
            continue
        assert f.mms is not None
        event = _event((demo.outdir / f.relpath).read_bytes())
        parts = _split_parts(str(event["message"]))
        soap_headers, soap = parts[0]
        assert soap_headers["content-type"].startswith("text/xml")
        assert "REL-5-MM7-1-2" in soap
        assert ("<DeliverReq" in soap) == (event["direction"] == "mt")
        content = parts[1:]
        assert len(content) == len(f.mms.attachments)
        texts: list[str] = []
        for (headers, body), att in zip(content, f.mms.attachments, strict=True):
            data = _payload(headers, body)
            assert hashlib.sha256(data).hexdigest() == att.sha256
            assert len(data) == att.size
            assert headers["content-type"].split(";")[0] == att.content_type
            assert f'name="{att.name}"' in headers["content-type"]
            assert headers["content-id"] == f"<{att.content_id}>"
            seen_types.add(att.content_type)
            if att.content_type == "image/gif":
                img = Image.open(io.BytesIO(data))
                gif_frames = max(gif_frames, getattr(img, "n_frames", 1))
            elif att.content_type == "audio/wav":
                with wave.open(io.BytesIO(data)) as wf:
                    wav_ok = wf.getnframes() > 0 and wf.getframerate() > 0
            elif att.content_type in ("image/png", "image/jpeg"):
                Image.open(io.BytesIO(data)).verify()
            elif att.content_type == "text/plain":
                texts.append(data.decode("utf-8"))
            elif "vcard" in att.content_type:
                assert data.startswith(b"BEGIN:VCARD\r\n") and b"PHOTO;" in data
        assert f.mms.attachments[0].content_type == "application/smil"
        assert "\n".join(texts) == f.mms.text
        for number in [f.mms.sender, *f.mms.to, *f.mms.cc]:
            assert f"<Number>{number}</Number>" in soap
        assert 1 <= f.mms.slide_count <= 3
    assert gif_frames > 1
    assert wav_ok
    assert {"image/jpeg", "image/png", "image/gif", "audio/wav", "text/plain"} <= seen_types
    assert seen_types & {"text/x-vcard", "text/vcard"}


def test_group_mms(demo: DemoSummary) -> None:
    groups = [f for f in demo.files if f.mms is not None and len(f.mms.to) + len(f.mms.cc) > 1]
    assert groups
    for f in groups:
        assert f.mms is not None
        event = _event((demo.outdir / f.relpath).read_bytes())
        sub = event["subscriberParty"]
        other = event["otherParty"]
        assert isinstance(sub, dict) and isinstance(other, dict)
        me = "+" + sub["mobile"]
        first = re.sub(r"\D", "", f.mms.to[0])
        got = re.sub(r"\D", "", other["number"])
        assert first.endswith(got[-9:])  # otherParty.number is the first recipient
        if event["direction"] == "mt":
            assert f.mms.sender != me and me in f.mms.to + f.mms.cc
        else:
            assert f.mms.sender == me


_HAVE_DECODER = importlib.util.find_spec("msgcopy_viewer.core.mms") is not None


@pytest.mark.skipif(not _HAVE_DECODER, reason="msgcopy_viewer.core.mms not written yet")
def test_round_trip_with_project_decoder(demo: DemoSummary) -> None:
    from msgcopy_viewer.core.mms import decode_mms

    checked = 0
    for f in demo.files:
        if f.mms is None:
            continue
        event = _event((demo.outdir / f.relpath).read_bytes())
        decoded = decode_mms(str(event["message"]))
        assert [p.sha256 for p in decoded.parts] == [a.sha256 for a in f.mms.attachments]
        assert [p.content_type for p in decoded.parts] == [
            a.content_type for a in f.mms.attachments
        ]
        assert decoded.envelope.to == f.mms.to
        assert decoded.envelope.subject == f.mms.subject
        assert len(decoded.slides) == f.mms.slide_count
        checked += 1
    assert checked > 10


def test_progress_callback(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate_demo(tmp_path, 40, seed=3, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (len(summary.files), len(summary.files))
    assert [d for d, _ in calls] == list(range(1, len(summary.files) + 1))


def test_sms_corpus(tmp_path: Path) -> None:
    written = generate_sms_corpus(tmp_path, 200, seed=2)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 200
    assert written == sum(p.stat().st_size for p in files)
    for p in files:
        assert 450 <= p.stat().st_size <= 800
        event = _event(p.read_bytes())
        assert event["messageType"] == "sms" and START_TIME.match(str(event["startTime"]))


def test_mms_heavy(tmp_path: Path) -> None:
    written = generate_mms_heavy(tmp_path, 6, seed=2)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 6
    assert written == sum(p.stat().st_size for p in files)
    messages = set()
    for p in files:
        event = _event(p.read_bytes())
        messages.add(str(event["message"]))
        images = [
            _payload(h, b)
            for h, b in _split_parts(str(event["message"]))
            if h["content-type"].startswith("image/")
        ]
        assert 1 <= len(images) <= 3
        assert all(50_000 <= len(i) <= 500_000 for i in images)
    assert len(messages) == 6


def test_build_mm7_flat_layout() -> None:
    text = Mm7Part("text/plain", "héllo 😀".encode(), "t1", "t1.txt", "t1.txt", "utf-8", "8bit")
    from datetime import UTC, datetime

    message, ctype = build_mm7(
        direction="mo",
        sender="+19465550001",
        to=["+12145550002"],
        subject=None,
        timestamp=datetime(2024, 7, 1, tzinfo=UTC),
        smil=None,
        parts=[text],
        token="abc123",
        transaction_id="T1",
        nested=False,
    )
    assert 'boundary="---mime-boundary-abc123"' in ctype
    parts = _split_parts(message)
    assert "<SubmitReq" in parts[0][1] and 'href="cid:t1"' in parts[0][1]
    assert _payload(*parts[1]) == "héllo 😀".encode()
    assert message.endswith("-----mime-boundary-abc123--\r\n")


def test_demo_file_dataclass() -> None:
    assert DemoFile("a.json", "sms", None).mms is None
