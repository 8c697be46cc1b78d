"""Hostile inputs, made in memory: vendor events, MM7 bodies, zip archives."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from msgcopy_viewer.ingest.pipeline import Importer, ImportReport
from msgcopy_viewer.ingest.scanner import ScanLimits
from msgcopy_viewer.store.case import Case


def event(message: str = "hello", **extra: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "direction": "mo",
        "startTime": "2024-09-16T19:30:39.090+0000",
        "subscriberParty": {
            "domain": "example.net",
            "mobile": "19465559040",
            "did": "19465559040",
            "subrId": "s1",
        },
        "otherParty": {"number": "12145555273"},
        "message": message,
        "messageType": "sms",
        "messageContentType": "text/plain; charset=UTF-8",
    }
    ev.update(extra)
    return ev


def document(*events: dict[str, Any]) -> bytes:
    """A vendor document; ``ensure_ascii`` keeps lone surrogates as ``\\udXXX`` escapes."""
    return json.dumps({"smsEvent": list(events)}, indent=1).encode("ascii")


def write_bytes(path: str | bytes | Path, data: bytes) -> None:
    """Write a file whose name may be any bytes (not valid UTF-8 included)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def run_import(case: Path, *paths: str | Path, limits: ScanLimits | None = None) -> ImportReport:
    return Importer(case, workers=1, limits=limits).run(list(paths))


def ledger(case: Path) -> list[tuple[str, str, str | None, str | None]]:
    """(path, outcome, reason, root) of every file of every batch, in order."""
    with Case.open(case, create=False) as c:
        return [
            (r[0], r[1], r[2], r[3])
            for r in c.conn.execute(
                "SELECT path, outcome, reason, root FROM source_files ORDER BY id"
            )
        ]


def messages(case: Path) -> list[tuple[str, str, str]]:
    """(text, other_party, warnings JSON) of every message."""
    with Case.open(case, create=False) as c:
        return [
            (r[0], r[1], r[2])
            for r in c.conn.execute(
                "SELECT text, other_party, warnings FROM messages ORDER BY rowid"
            )
        ]


# -- MM7 ----------------------------------------------------------------------------------------
def soap(sender: str = "+12145555273", to: tuple[str, ...] = ("+19465559040",)) -> bytes:
    recipients = "".join(f"<mm7:To><mm7:Number>{t}</mm7:Number></mm7:To>" for t in to)
    return (
        b'--b\r\nContent-Type: text/xml; charset="utf-8"\r\nContent-ID: <soap>\r\n\r\n'
        b'<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/'
        b'envelope/"><env:Body><mm7:DeliverReq xmlns:mm7="urn:mm7"><mm7:Sender><mm7:Number>'
        + sender.encode()
        + b"</mm7:Number></mm7:Sender><mm7:Recipients>"
        + recipients.encode()
        + b"</mm7:Recipients><mm7:Subject>S</mm7:Subject>"
        b'<mm7:Content href="cid:c"/></mm7:DeliverReq></env:Body></env:Envelope>\r\n'
    )


def part(headers: str, body: bytes) -> bytes:
    return b"--i\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"


def mm7(*parts: bytes, envelope: bytes | None = None) -> str:
    body = (
        (soap() if envelope is None else envelope)
        + b"--b\r\nContent-Type: multipart/related; boundary=i\r\nContent-ID: <c>\r\n\r\n"
        + b"".join(parts)
        + b"--i--\r\n--b--\r\n"
    )
    return body.decode("latin-1")


def mms_event(body: str, **extra: Any) -> dict[str, Any]:
    return event(
        body,
        direction="mt",
        messageType="mms",
        messageContentType='multipart/related; boundary="b"',
        **extra,
    )


# -- zip archives -------------------------------------------------------------------------------
def zip_bytes(members: dict[str, bytes], *, deflate: bool = True) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def set_utf8_flag(data: bytes) -> bytes:
    """Mark every entry of an archive as having a UTF-8 name (bit 11)."""
    out = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(sig)
        while i >= 0:
            (flags,) = struct.unpack_from("<H", out, i + at)
            struct.pack_into("<H", out, i + at, flags | 0x800)
            i = out.find(sig, i + 4)
    return bytes(out)


def overlapping_zip(copies: int, size: int, *, same_name: bool = True) -> bytes:
    """A "non-recursive" zip bomb: ``copies`` central-directory entries that all point at
    the same compressed data (one local file), each declaring ``size`` inflated bytes."""
    payload = b"\x00" * size
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(payload) + comp.flush()
    crc = zlib.crc32(payload)
    name = b"bomb.json"
    local = (
        struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0
        )
        + name
        + data
    )
    central = b""
    for n in range(copies):
        cname = name if same_name else f"bomb{n}.json".encode()
        central += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(cname),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + cname
        )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, copies, copies, len(central), len(local), 0
    )
    return local + central + end
