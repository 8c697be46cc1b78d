"""Build the MM7 (REL-5-MM7-1-2) multipart text that Message Copy puts in an MMS ``message``.

Layout (CRLF line ends, no top-level headers; the text starts with the first delimiter
line, as the vendor's payloads and most real MM7 captures do)::

    -----mime-boundary-<A>            <- delimiter: "--" + boundary "---mime-boundary-<A>"
    Content-Type: text/xml; charset="utf-8"
    Content-ID: <soap-start-...>

    <?xml ...?><env:Envelope> ... <DeliverReq|SubmitReq> ... <Content href="cid:..."/>
    -----mime-boundary-<A>
    Content-Type: multipart/related; type="application/smil"; start="<smil>"; boundary="..."
    Content-ID: <mms-content-...>

    -----mime-boundary-<B>
    Content-Type: application/smil; charset=utf-8; name="mms.smil"
    ...
    -----mime-boundary-<B>
    Content-Type: image/jpeg; name="image000000.jpg"
    Content-ID: <image000000>
    Content-Location: image000000.jpg
    Content-Transfer-Encoding: base64

    /9j/4AAQ...                       <- base64, 76 chars a line
    -----mime-boundary-<B>--
    -----mime-boundary-<A>--

With ``nested=False`` the SMIL and content parts follow the SOAP part directly in the
outer multipart, and the SOAP ``<Content href>`` points at the SMIL part.

The bytes of every content part are exactly ``Mm7Part.data``: base64 parts decode to
it, and 8bit/7bit parts carry it verbatim between the blank line after the headers and
the CRLF that precedes the next delimiter.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

MM7_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CRLF = "\r\n"


@dataclass
class Mm7Part:
    """One MIME content part (SMIL, text, image, audio, vCard...)."""

    content_type: str  # bare media type, e.g. "image/jpeg"
    data: bytes  # the exact payload bytes
    content_id: str  # without angle brackets
    name: str | None = None  # emitted as `name="..."` in Content-Type
    content_location: str | None = None
    charset: str | None = None  # e.g. "utf-8" for text parts
    transfer_encoding: str = "base64"  # "base64" | "8bit" | "7bit"


def _b64_lines(data: bytes, width: int = 76) -> str:
    enc = base64.b64encode(data).decode("ascii")
    return CRLF.join(enc[i : i + width] for i in range(0, len(enc), width))


def _part_text(part: Mm7Part) -> str:
    ctype = part.content_type
    if part.charset:
        ctype += f"; charset={part.charset}"
    if part.name:
        ctype += f'; name="{part.name}"'
    headers = [f"Content-Type: {ctype}", f"Content-ID: <{part.content_id}>"]
    if part.content_location:
        headers.append(f"Content-Location: {part.content_location}")
    headers.append(f"Content-Transfer-Encoding: {part.transfer_encoding}")
    if part.transfer_encoding == "base64":
        body = _b64_lines(part.data)
    else:
        body = part.data.decode("utf-8")
    return CRLF.join(headers) + CRLF + CRLF + body


def _numbers(tag: str, numbers: Sequence[str]) -> str:
    if not numbers:
        return ""
    inner = "".join(f"<Number>{escape(n)}</Number>" for n in numbers)
    return f"<{tag}>{inner}</{tag}>"


def soap_envelope(
    *,
    direction: str,
    transaction_id: str,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str],
    bcc: Sequence[str],
    subject: str | None,
    timestamp: datetime,
    content_cid: str,
    relay_server_id: str,
) -> str:
    """The SOAP envelope: DeliverReq for ``mt``, SubmitReq for ``mo``."""
    ts = timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    recipients = "<Recipients>" + _numbers("To", to) + _numbers("Cc", cc) + _numbers("Bcc", bcc)
    recipients += "</Recipients>"
    subj = f"<Subject>{escape(subject)}</Subject>" if subject is not None else ""
    if direction == "mt":
        body = (
            f'<DeliverReq xmlns="{MM7_NS}">'
            "<MM7Version>5.3.0</MM7Version>"
            f"<MMSRelayServerID>{escape(relay_server_id)}</MMSRelayServerID>"
            f"<Sender><Number>{escape(sender)}</Number></Sender>"
            f"{recipients}"
            f"<TimeStamp>{ts}</TimeStamp>"
            "<Priority>Normal</Priority>"
            f"{subj}"
            f'<Content href="cid:{content_cid}"/>'
            "</DeliverReq>"
        )
    else:
        body = (
            f'<SubmitReq xmlns="{MM7_NS}">'
            "<MM7Version>5.3.0</MM7Version>"
            "<SenderIdentification>"
            f"<SenderAddress><Number>{escape(sender)}</Number></SenderAddress>"
            "</SenderIdentification>"
            f"{recipients}"
            "<MessageClass>Personal</MessageClass>"
            f"<TimeStamp>{ts}</TimeStamp>"
            "<DeliveryReport>false</DeliveryReport>"
            "<Priority>Normal</Priority>"
            f"{subj}"
            f'<Content href="cid:{content_cid}" allowAdaptations="true"/>'
            "</SubmitReq>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>' + CRLF
        + f'<env:Envelope xmlns:env="{SOAP_NS}">' + CRLF
        + "<env:Header>"
        + f'<mm7:TransactionID xmlns:mm7="{MM7_NS}" env:mustUnderstand="1">'
        + f"{escape(transaction_id)}</mm7:TransactionID>"
        + "</env:Header>" + CRLF
        + "<env:Body>" + CRLF + body + CRLF + "</env:Body>" + CRLF
        + "</env:Envelope>"
    )  # fmt: skip


def build_mm7(
    *,
    direction: str,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    subject: str | None,
    timestamp: datetime,
    smil: Mm7Part | None,
    parts: Sequence[Mm7Part],
    token: str,
    transaction_id: str,
    nested: bool = True,
    relay_server_id: str = "mmsc01.tango-networks",
) -> tuple[str, str]:
    """Build an MM7 multipart; return ``(message text, messageContentType)``.

    ``direction`` "mt" gives a DeliverReq, "mo" a SubmitReq. ``sender``/``to``/``cc``/
    ``bcc`` are written verbatim inside ``<Number>`` elements. ``smil`` (if any) is
    placed first among the content parts, then ``parts`` in order. ``token`` (hex,
    from the caller's seeded RNG) makes the boundaries and IDs unique; boundaries are
    ``---mime-boundary-<token>`` (outer) and ``---mime-boundary-<token>-rel`` (inner),
    so every delimiter line starts with ``-----mime-``.
    """
    outer = f"---mime-boundary-{token}"
    inner = f"---mime-boundary-{token}-rel"
    soap_cid = f"soap-start-{token[:12]}"
    related_cid = f"mms-content-{token[:12]}"
    content_parts: list[Mm7Part] = ([smil] if smil is not None else []) + list(parts)
    if nested:
        content_cid = related_cid
    else:
        content_cid = content_parts[0].content_id if content_parts else related_cid
    soap = soap_envelope(
        direction=direction,
        transaction_id=transaction_id,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        timestamp=timestamp,
        content_cid=content_cid,
        relay_server_id=relay_server_id,
    )
    soap_part = (
        f'Content-Type: text/xml; charset="utf-8"{CRLF}Content-ID: <{soap_cid}>{CRLF}{CRLF}{soap}'
    )
    chunks: list[str] = [soap_part]
    if nested:
        rel_type = "application/smil" if smil is not None else "text/plain"
        start = f'; start="<{smil.content_id}>"' if smil is not None else ""
        inner_body = "".join(f"--{inner}{CRLF}{_part_text(p)}{CRLF}" for p in content_parts)
        inner_body += f"--{inner}--"
        chunks.append(
            f'Content-Type: multipart/related; type="{rel_type}"{start}; boundary="{inner}"'
            f"{CRLF}Content-ID: <{related_cid}>{CRLF}{CRLF}{inner_body}"
        )
    else:
        chunks.extend(_part_text(p) for p in content_parts)
    text = "".join(f"--{outer}{CRLF}{c}{CRLF}" for c in chunks) + f"--{outer}--{CRLF}"
    content_type = f'multipart/related; type="text/xml"; start="<{soap_cid}>"; boundary="{outer}"'
    return text, content_type
