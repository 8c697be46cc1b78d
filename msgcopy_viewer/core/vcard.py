"""vCard reading for MMS attachments.

Cards are split out of the payload one by one (nested cards become separate
cards after their parent).  Each card is first read with
``vobject.readOne(..., allowQP=True)``; a card vobject refuses (invalid base64
photo, undecodable QP, non-UTF-8 bytes ...) goes through a small lenient
parser instead of being lost.  vCard 4.0 ``data:`` photo URIs are decoded here
because vobject leaves them as text.
"""

from __future__ import annotations

import binascii
import re
import urllib.parse
import warnings
from dataclasses import dataclass, field
from typing import Any

from msgcopy_viewer.core.media_types import sniff
from msgcopy_viewer.core.mime import b64decode_lenient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import vobject

__all__ = ["VCardInfo", "decode_charset", "parse_vcards", "split_cards"]

_B64_LINE_RE = re.compile(rb"^[ \t]*[A-Za-z0-9+/=]+[ \t]*$")
_PROP_RE = re.compile(rb"^[ \t]*(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+[ \t]*[;:]")
_MIBENUM = {
    "3": "us-ascii",
    "4": "latin-1",
    "5": "iso-8859-2",
    "6": "iso-8859-3",
    "7": "iso-8859-4",
    "8": "iso-8859-5",
    "9": "iso-8859-6",
    "10": "iso-8859-7",
    "11": "iso-8859-8",
    "12": "iso-8859-9",
    "17": "shift_jis",
    "18": "euc-jp",
    "36": "ks_c_5601-1987",
    "37": "iso-2022-kr",
    "38": "euc-kr",
    "39": "iso-2022-jp",
    "106": "utf-8",
    "109": "iso-8859-13",
    "111": "iso-8859-15",
    "113": "gbk",
    "114": "gb18030",
    "1000": "utf-16",
    "1013": "utf-16-be",
    "1014": "utf-16-le",
    "1015": "utf-16",
    "2025": "gb2312",
    "2026": "big5",
    "2084": "koi8-r",
    "2252": "cp1252",
}


def decode_charset(data: bytes, charset: str | None) -> str:
    """Decode with ``charset`` (names or MIBenum numbers), then UTF-8, then Latin-1.

    Never raises.
    """
    candidates: list[str] = []
    if charset:
        cs = charset.strip().strip('"').lower()
        cs = _MIBENUM.get(cs, cs)
        candidates.append(cs)
    candidates.extend(["utf-8", "latin-1"])
    for cs in candidates:
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")  # pragma: no cover


@dataclass(slots=True)
class VCardInfo:
    name: str | None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    org: str | None = None
    addresses: list[str] = field(default_factory=list)
    photo: bytes | None = None
    photo_type: str | None = None
    raw: str = ""
    parsed: bool = False


@dataclass(slots=True)
class _Card:
    lines: list[bytes]
    raw: bytes
    order: int


def _lines(data: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end incl. newline, content without CR/LF) for each line."""
    out: list[tuple[int, int, bytes]] = []
    pos = 0
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl + 1
        out.append((pos, end, data[pos : (nl if nl >= 0 else n)].rstrip(b"\r")))
        pos = end
    return out


def split_cards(data: bytes) -> tuple[list[tuple[str, bytes, list[bytes]]], list[str]]:
    """Split into cards: (raw text, raw bytes, own lines), parents before children."""
    warns: list[str] = []
    done: list[_Card] = []
    stack: list[tuple[_Card, int, bool]] = []  # card, start offset, has_children
    counter = 0
    for start, end, line in _lines(data):
        token = line.strip().upper()
        if token == b"BEGIN:VCARD":
            if stack:
                card, s0, _ = stack[-1]
                stack[-1] = (card, s0, True)
            stack.append((_Card(lines=[line], raw=b"", order=counter), start, False))
            counter += 1
            continue
        if not stack:
            continue
        if token == b"END:VCARD":
            card, s0, nested = stack.pop()
            card.lines.append(line)
            card.raw = b"\r\n".join(card.lines) + b"\r\n" if nested else data[s0:end]
            done.append(card)
            continue
        stack[-1][0].lines.append(line)
    while stack:
        card, s0, nested = stack.pop()
        card.lines.append(b"END:VCARD")
        card.raw = b"\r\n".join(card.lines) + b"\r\n" if nested else data[s0:] + b"\r\nEND:VCARD"
        done.append(card)
        warns.append("A vCard is truncated (END:VCARD is missing); it was read as far as it goes.")
    done.sort(key=lambda c: c.order)
    return [(decode_charset(c.raw, None), c.raw, c.lines) for c in done], warns


# --------------------------------------------------------------------------- vobject path


def _join_name(n: Any) -> str | None:
    pieces: list[str] = []
    for attr in ("prefix", "given", "additional", "family", "suffix"):
        value = getattr(n, attr, "")
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v)
        value = str(value).strip()
        if value:
            pieces.append(value)
    return " ".join(pieces) or None


def _join_adr(adr: Any) -> str | None:
    pieces: list[str] = []
    for attr in ("box", "extended", "street", "city", "region", "code", "country"):
        value = getattr(adr, attr, "")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        for line in str(value).splitlines():
            line = line.strip().rstrip(",").strip()
            if line:
                pieces.append(line)
    return ", ".join(pieces) or None


def _decode_data_uri(value: str) -> bytes | None:
    if not value.lower().startswith("data:") or "," not in value:
        return None
    meta, payload = value[5:].split(",", 1)
    if meta.lower().endswith(";base64"):
        decoded, _clean = b64decode_lenient(payload.encode("ascii", "ignore"))
        return decoded
    return urllib.parse.unquote_to_bytes(payload)


def _photo_from_value(value: Any) -> bytes | None:
    if isinstance(value, bytes):
        return value or None
    if isinstance(value, str):
        text = value.strip()
        if text.lower().startswith("data:"):
            return _decode_data_uri(text)
        if text and re.fullmatch(r"[A-Za-z0-9+/=\s]{16,}", text):
            decoded, _clean = b64decode_lenient(text.encode("ascii"))
            return decoded or None
    return None


def _clean_phone(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("tel:"):
        value = value[4:]
    return value


def _via_vobject(text: str) -> VCardInfo:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = vobject.readOne(text, allowQP=True)
        contents: dict[str, list[Any]] = comp.contents
        info = VCardInfo(name=None, parsed=True)
        fn = contents.get("fn")
        if fn:
            value = str(fn[0].value).strip()
            info.name = value or None
        if info.name is None and contents.get("n"):
            info.name = _join_name(contents["n"][0].value)
        for line in contents.get("tel", []):
            phone = _clean_phone(str(line.value))
            if phone:
                info.phones.append(phone)
        for line in contents.get("email", []):
            mail = str(line.value).strip()
            if mail:
                info.emails.append(mail)
        if contents.get("org"):
            value = contents["org"][0].value
            if isinstance(value, list):
                value = ", ".join(str(v).strip() for v in value if str(v).strip())
            info.org = str(value).strip() or None
        for line in contents.get("adr", []):
            addr = _join_adr(line.value)
            if addr:
                info.addresses.append(addr)
        for line in contents.get("photo", []):
            photo = _photo_from_value(line.value)
            if photo:
                info.photo = photo
                break
    return info


# --------------------------------------------------------------------------- lenient path


def _split_unescaped(value: str, sep: str) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            buf.append(value[i : i + 2])
            i += 2
            continue
        if ch == sep:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return out


def _unescape(value: str) -> str:
    return re.sub(
        r"\\(.)",
        lambda m: "\n" if m.group(1) in "nN" else m.group(1),
        value,
    )


def _logical_lines(lines: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    mode = ""  # "qp" when the previous line ended with a QP soft break; "b64" inside base64
    for line in lines:
        if out and mode == "qp":
            out[-1] = out[-1][:-1] + line
            mode = "qp" if line.endswith(b"=") else ""
            continue
        if not line.strip():
            mode = ""
            continue
        if out and line[:1] in (b" ", b"\t"):
            out[-1] += line[1:] if mode != "b64" else line.strip()
            if mode == "" and _is_qp(out[-1]) and out[-1].endswith(b"="):
                mode = "qp"
            continue
        if out and mode == "b64" and _B64_LINE_RE.match(line) and not _PROP_RE.match(line):
            out[-1] += line.strip()
            continue
        out.append(line)
        head = line.split(b":", 1)[0].upper()
        if _is_qp(line) and line.endswith(b"="):
            mode = "qp"
        elif b"ENCODING=B" in head or b";BASE64" in head:
            mode = "b64"
        else:
            mode = ""
    return out


def _is_qp(line: bytes) -> bool:
    head = line.split(b":", 1)[0].upper()
    return b"QUOTED-PRINTABLE" in head or b"ENCODING=QP" in head


def _parse_line(line: bytes) -> tuple[str, dict[str, list[str]], bytes] | None:
    # Split at the first ':' outside double quotes.
    in_quote = False
    colon = -1
    for i, byte in enumerate(line):
        if byte == 0x22:
            in_quote = not in_quote
        elif byte == 0x3A and not in_quote:
            colon = i
            break
    if colon < 0:
        return None
    head = line[:colon].decode("latin-1")
    value = line[colon + 1 :]
    pieces = head.split(";")
    name = pieces[0].strip().upper()
    if "." in name:
        name = name.rsplit(".", 1)[1]
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if "=" in piece:
            key, val = piece.split("=", 1)
            params.setdefault(key.strip().upper(), []).extend(
                v.strip().strip('"') for v in val.split(",")
            )
        else:
            params.setdefault("TYPE", []).append(piece)
    return name, params, value


def _text_value(params: dict[str, list[str]], value: bytes) -> str:
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding in ("QUOTED-PRINTABLE", "QP"):
        value = binascii.a2b_qp(value)
    charsets = params.get("CHARSET")
    charset = charsets[0] if charsets else None
    try:
        return decode_charset(value, charset) if charset else value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("utf-8", errors="replace")


def _lenient(lines: list[bytes]) -> VCardInfo:
    info = VCardInfo(name=None, parsed=False)
    n_value: str | None = None
    for line in _logical_lines(lines[1:-1]):
        parsed = _parse_line(line)
        if parsed is None:
            continue
        name, params, value = parsed
        if name in ("BEGIN", "END", "VERSION"):
            continue
        if name == "PHOTO" and info.photo is None:
            encoding = (params.get("ENCODING") or [""])[0].upper()
            text = value.strip()
            if text.lower().startswith(b"data:"):
                info.photo = _decode_data_uri(text.decode("latin-1"))
            elif encoding in ("B", "BASE64") or (
                not text.lower().startswith((b"http:", b"https:")) and len(text) > 16
            ):
                decoded, _clean = b64decode_lenient(text)
                info.photo = decoded or None
            continue
        text_value = _text_value(params, value)
        if name == "FN":
            fn = _unescape(text_value).strip()
            if fn and info.name is None:
                info.name = fn
        elif name == "N":
            comps = [_unescape(c).strip() for c in _split_unescaped(text_value, ";")]
            comps += [""] * (5 - len(comps))
            family, given, additional, prefix, suffix = comps[:5]
            n_value = " ".join(p for p in (prefix, given, additional, family, suffix) if p)
        elif name == "TEL":
            phone = _clean_phone(_unescape(text_value))
            if phone:
                info.phones.append(phone)
        elif name == "EMAIL":
            mail = _unescape(text_value).strip()
            if mail:
                info.emails.append(mail)
        elif name == "ORG" and info.org is None:
            comps = [_unescape(c).strip() for c in _split_unescaped(text_value, ";")]
            info.org = ", ".join(c for c in comps if c) or None
        elif name == "ADR":
            comps = [_unescape(c) for c in _split_unescaped(text_value, ";")]
            pieces: list[str] = []
            for comp in comps:
                for part in comp.splitlines():
                    part = part.strip().rstrip(",").strip()
                    if part:
                        pieces.append(part)
            if pieces:
                info.addresses.append(", ".join(pieces))
    if info.name is None and n_value:
        info.name = n_value
    return info


def parse_vcards(data: bytes) -> tuple[list[VCardInfo], list[str]]:
    """Read every card in ``data``.  Never raises; problems become warnings."""
    cards, warns = split_cards(data)
    out: list[VCardInfo] = []
    for text, raw, lines in cards:
        info: VCardInfo | None = None
        try:
            strict = raw.decode("utf-8").replace("\r\r\n", "\r\n")
            info = _via_vobject(strict)
            if info.photo is None and any(b"PHOTO" in line.upper()[:40] for line in lines):
                # vobject mangles vCard 4.0 data: URIs (it splits at the comma).
                info.photo = _lenient(lines).photo
        except Exception:
            info = None
        if info is None:
            try:
                info = _lenient(lines)
            except Exception:  # pragma: no cover - defensive: never lose the card
                info = VCardInfo(name=None, parsed=False)
            label = f"'{info.name}'" if info.name else "without a name"
            warns.append(
                f"A vCard ({label}) is not valid enough for the vCard library; it was read "
                "with the lenient reader."
            )
        info.raw = text
        if info.photo is not None:
            info.photo_type = sniff(info.photo)
        out.append(info)
    return out, warns
