"""Lenient MIME parsing for MM7 / MMS bodies.

The stdlib :mod:`email` parser assumes a well-formed RFC 822 message with
top-level headers.  Message Copy bodies usually start directly with a
delimiter line, sometimes follow an HTTP request line, fold or omit their
boundary, miss closing delimiters, mix CRLF and LF and carry raw 8-bit binary.
So this module does its own header and boundary splitting (on whole ``bytes``
objects with C-speed ``find``), and uses the stdlib only for the parts that are
robust: RFC 2047 / RFC 2231 parameter decoding.

Entry point: :func:`parse_mime` returns the root :class:`MimeEntity` and a list
of plain-language warnings.  Nothing here raises on bad input.
"""

from __future__ import annotations

import binascii
import email.header
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "MimeEntity",
    "b64decode_checked",
    "b64decode_lenient",
    "decode_header_text",
    "iter_leaves",
    "parse_content_type",
    "parse_headers",
    "parse_mime",
]

MAX_DEPTH = 16
MAX_HEADER_LINES = 500

_HEADER_RE = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*)$", re.S)
_HTTP_REQUEST_RE = re.compile(rb"^[A-Z]{3,10} \S+ HTTP/\d(?:\.\d)?\s*$")
_HTTP_STATUS_RE = re.compile(rb"^HTTP/\d(?:\.\d)? \d{3}\b")
_PARAM_RE = re.compile(r"""\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)""", re.S)


def decode_header_text(raw: bytes) -> str:
    """Decode header bytes: UTF-8 if valid, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_rfc2047(value: str) -> str:
    if "=?" not in value:
        return value
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        return value
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        text: str | None = None
        for cs in (charset, "utf-8", "latin-1"):
            if not cs:
                continue
            try:
                text = chunk.decode(cs)
                break
            except (LookupError, UnicodeDecodeError):
                continue
        out.append(text if text is not None else chunk.decode("latin-1"))
    return "".join(out)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if value.startswith('"'):
        return value[1:]
    return value


def parse_content_type(value: str | None) -> tuple[str | None, dict[str, str]]:
    """Split a Content-Type (or Content-Disposition) value.

    Returns (lower-case type without parameters or None, params with
    lower-case keys).  Tolerates capitalised names, trailing ``;``, missing
    spaces, quoted values with spaces, RFC 2231 (``name*=``, ``name*0=``) and
    RFC 2047 encoded words.
    """
    if value is None:
        return None, {}
    head, _, rest = value.partition(";")
    main = head.strip().strip('"').lower() or None
    params: dict[str, str] = {}
    continuations: dict[str, dict[int, tuple[str, bool]]] = {}
    for match in _PARAM_RE.finditer(rest):
        key = match.group(1).strip().lower()
        raw = match.group(2).strip()
        if not key:
            continue
        extended = key.endswith("*")
        if extended:
            key = key[:-1]
        section = re.fullmatch(r"(.+)\*(\d+)", key)
        if section:
            continuations.setdefault(section.group(1), {})[int(section.group(2))] = (
                raw,
                extended,
            )
            continue
        if extended:
            params[key] = _decode_2231(_unquote(raw), True)
        elif key not in params:
            params[key] = _decode_rfc2047(_unquote(raw))
    for key, pieces in continuations.items():
        if key in params:
            continue
        ordered = [pieces[i] for i in sorted(pieces)]
        first_extended = ordered[0][1]
        joined = "".join(_unquote(raw) for raw, _ext in ordered)
        params[key] = _decode_2231(joined, first_extended)
    return main, params


def _decode_2231(value: str, extended: bool) -> str:
    if not extended:
        return _decode_rfc2047(value)
    charset = "utf-8"
    parts = value.split("'", 2)
    if len(parts) == 3:
        charset = parts[0] or "utf-8"
        value = parts[2]
    raw = urllib.parse.unquote_to_bytes(value)
    for cs in (charset, "utf-8", "latin-1"):
        try:
            return raw.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")  # pragma: no cover - latin-1 never fails


_B64_WHITESPACE = b" \t\r\n\x0b\x0c"
_B64_STRAY_RE = re.compile(rb"[^A-Za-z0-9+/=\-_]")
_B64_PADDING_RE = re.compile(rb"=+")


def b64decode_lenient(data: bytes) -> tuple[bytes, bool]:
    """Decode base64 ignoring whitespace/junk and repairing padding.

    Returns (decoded bytes, clean) where ``clean`` is False when the input had
    to be repaired (see ``b64decode_checked``).
    """
    decoded, problem = b64decode_checked(data)
    return decoded, problem is None


def b64decode_checked(data: bytes) -> tuple[bytes, str | None]:
    """Decode base64 as far as possible: (bytes, None) for clean input (line breaks
    allowed), else (what could be decoded, what was wrong, in plain words): stray
    characters are ignored, data after the padding is decoded too (as a new run), and a
    length that is not a multiple of 4 is padded, a lone final character dropped."""
    compact = data.translate(None, _B64_WHITESPACE)
    try:
        return binascii.a2b_base64(compact, strict_mode=True), None
    except (binascii.Error, ValueError):
        pass
    problems: list[str] = []
    cleaned = compact
    if _B64_STRAY_RE.search(cleaned):
        problems.append("stray characters")
        cleaned = _B64_STRAY_RE.sub(b"", cleaned)
    if b"-" in cleaned or b"_" in cleaned:
        problems.append("URL-safe characters")
        cleaned = cleaned.replace(b"-", b"+").replace(b"_", b"/")
    runs = [r for r in _B64_PADDING_RE.split(cleaned) if r]
    if len(runs) > 1:
        problems.append("data after the padding")
    out: list[bytes] = []
    for run in runs:
        rem = len(run) % 4
        if rem:
            run = run[:-1] if rem == 1 else run + b"=" * (4 - rem)
        if run:
            try:
                out.append(binascii.a2b_base64(run))
            except (binascii.Error, ValueError):  # pragma: no cover - cleaned input is valid
                pass
    if runs and len(runs[-1]) % 4:
        if cleaned.endswith(b"="):
            problems.append("bad padding")
        else:
            problems.append("a length that is not a multiple of 4")
    if not problems:
        problems.append("bad padding")
    return b"".join(out), ", ".join(dict.fromkeys(problems))


@dataclass(slots=True)
class MimeEntity:
    """One MIME entity: headers, raw (still transfer-encoded) body, children."""

    headers: list[tuple[str, str]]
    body: bytes
    content_type: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    children: list[MimeEntity] = field(default_factory=list)
    is_multipart: bool = False
    synthetic: bool = False  # root entity invented for a body with no headers
    closed: bool = True  # for multiparts: a closing delimiter was found

    def get(self, name: str) -> str | None:
        """First header called ``name`` (case-insensitive), or None."""
        low = name.lower()
        for key, value in self.headers:
            if key.lower() == low:
                return value
        return None

    @property
    def content_id(self) -> str | None:
        raw = self.get("content-id")
        if raw is None:
            return None
        value = raw.strip().strip("<>").strip()
        return value or None

    @property
    def content_location(self) -> str | None:
        raw = self.get("content-location")
        if raw is None:
            return None
        value = _decode_rfc2047(raw.strip().strip('"').strip())
        return value or None

    @property
    def transfer_encoding(self) -> str | None:
        raw = self.get("content-transfer-encoding")
        if raw is None:
            return None
        value = raw.strip().strip('"').lower()
        return value or None

    @property
    def charset(self) -> str | None:
        value = self.params.get("charset")
        if value is None:
            return None
        value = value.strip().strip('"').lower()
        return value or None

    @property
    def filename(self) -> str | None:
        _disp, dparams = parse_content_type(self.get("content-disposition"))
        value = dparams.get("filename") or self.params.get("filename")
        return value.strip() if value and value.strip() else None

    @property
    def name(self) -> str | None:
        value = self.params.get("name")
        if not value:
            _disp, dparams = parse_content_type(self.get("content-disposition"))
            value = dparams.get("name")
        return value.strip() if value and value.strip() else None

    def decode_body(self) -> tuple[bytes, str | None]:
        """Undo the Content-Transfer-Encoding.

        Returns (bytes, problem) where problem is None or a plain-language
        fragment describing what had to be repaired.
        """
        cte = self.transfer_encoding
        body = self.body
        if cte == "base64" or cte == "b":
            decoded, problem = b64decode_checked(body)
            if problem is not None:
                return decoded, (
                    f"its base64 text is damaged ({problem}) and was decoded as far as possible"
                )
            return decoded, None
        if cte in ("quoted-printable", "qp"):
            try:
                return binascii.a2b_qp(body), None
            except (binascii.Error, ValueError):  # pragma: no cover - a2b_qp is lenient
                return body, "its quoted-printable text could not be decoded"
        if cte in (None, "7bit", "8bit", "binary", "none", "x-binary"):
            return body, None
        return body, f"it declares an unknown transfer encoding '{cte}' and is kept as sent"


def _split_lines_limited(data: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """Yield (line_start, content_end, next_line_start) from ``start``."""
    pos = start
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        if nl < 0:
            end = n
            nxt = n
        else:
            end = nl
            nxt = nl + 1
        content_end = end - 1 if end > pos and data[end - 1] == 0x0D else end
        yield pos, content_end, nxt
        pos = nxt


def parse_headers(data: bytes, start: int = 0) -> tuple[list[tuple[str, str]], int, bool]:
    """Parse a header block starting at ``start``.

    Returns (headers, body_start, blank_line_seen).  The block ends at a blank
    line or, leniently, at the first line that is neither a header nor a
    continuation (some gateways omit the blank line after the headers).
    """
    headers: list[tuple[str, list[bytes]]] = []
    body_start = len(data)
    blank = False
    count = 0
    for line_start, content_end, nxt in _split_lines_limited(data, start):
        line = data[line_start:content_end]
        if not line.strip(b" \t\r"):
            body_start = nxt
            blank = True
            break
        count += 1
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1][1].append(line)
            continue
        match = _HEADER_RE.match(line) if count <= MAX_HEADER_LINES else None
        if match is None:
            body_start = line_start
            break
        headers.append((decode_header_text(match.group(1)), [match.group(2)]))
    result: list[tuple[str, str]] = []
    for name, chunks in headers:
        raw = b" ".join(chunk.strip(b" \t\r") for chunk in chunks)
        result.append((name, decode_header_text(raw).strip()))
    return result, body_start, blank


def _is_multipart_type(ctype: str | None) -> bool:
    if not ctype:
        return False
    return ctype.startswith("multipart/") or ctype.startswith("application/vnd.wap.multipart.")


def _find_delimiters(data: bytes, boundary: bytes) -> list[tuple[int, int, bool]]:
    """Delimiter lines for ``boundary``: (line_start, next_line_start, is_close)."""
    needle = b"--" + boundary
    out: list[tuple[int, int, bool]] = []
    n = len(data)
    pos = 0
    while True:
        i = data.find(needle, pos)
        if i < 0:
            break
        pos = i + 1
        if i > 0 and data[i - 1] != 0x0A:
            continue
        j = i + len(needle)
        close = data.startswith(b"--", j)
        k = j + 2 if close else j
        nl = data.find(b"\n", k)
        end = n if nl < 0 else nl
        if end - k > 200 or data[k:end].strip(b" \t\r"):
            continue
        out.append((i, n if nl < 0 else nl + 1, close))
        pos = end
    return out


def _guess_boundary(data: bytes) -> bytes | None:
    """Boundary from the first line that starts with ``--``."""
    if data.startswith(b"--"):
        i = 0
    else:
        i = data.find(b"\n--")
        if i < 0:
            return None
        i += 1
    nl = data.find(b"\n", i)
    line = data[i : nl if nl >= 0 else len(data)].rstrip(b" \t\r")
    candidate = line[2:]
    if not candidate or len(candidate) > 200:
        return None
    if candidate.endswith(b"--") and len(candidate) > 2:
        # A close delimiter as the first delimiter line: prefer the shorter
        # boundary if that yields an opening delimiter too.
        shorter = candidate[:-2]
        if any(not c for _s, _e, c in _find_delimiters(data, shorter)):
            return shorter
    return candidate


def _strip_final_newline(data: bytes, start: int, stop: int) -> int:
    if stop > start and data[stop - 1] == 0x0A:
        stop -= 1
        if stop > start and data[stop - 1] == 0x0D:
            stop -= 1
    return stop


def _trailing_nl_len(data: bytes, stop: int) -> int:
    """Length of the line break just before ``stop`` (0, 1 or 2)."""
    if stop > 0 and data[stop - 1] == 0x0A:
        return 2 if stop > 1 and data[stop - 2] == 0x0D else 1
    return 0


class _Ctx:
    __slots__ = ("_seen", "warnings")

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._seen: set[str] = set()

    def warn(self, text: str) -> None:
        if text not in self._seen:  # a set: thousands of warnings stay linear
            self._seen.add(text)
            self.warnings.append(text)


def _make_entity(headers: list[tuple[str, str]], body: bytes) -> MimeEntity:
    ctype_raw = None
    for key, value in headers:
        if key.lower() == "content-type":
            ctype_raw = value
            break
    ctype, params = parse_content_type(ctype_raw)
    return MimeEntity(headers=headers, body=body, content_type=ctype, params=params)


def _split_multipart(entity: MimeEntity, boundary: bytes, ctx: _Ctx, depth: int, top: bool) -> bool:
    body = entity.body
    delims = _find_delimiters(body, boundary)
    if not delims:
        return False
    if delims[0][2]:
        # Starts with a close delimiter: nothing usable inside.
        entity.is_multipart = True
        return True
    entity.is_multipart = True
    closed = False
    for idx, (_ls, nxt, close) in enumerate(delims):
        if close:
            closed = True
            break
        if idx + 1 < len(delims):
            stop_line = delims[idx + 1][0]
            stop = stop_line - _trailing_nl_len(body, stop_line)
            stop = max(stop, nxt)
        else:
            stop = _strip_final_newline(body, nxt, len(body))
        chunk = body[nxt:stop]
        if not chunk.strip(b" \t\r\n"):
            ctx.warn(
                "The message contains an empty MIME part (two delimiters in a row); it was skipped."
            )
            continue
        entity.children.append(_parse_entity(chunk, ctx, depth + 1))
    entity.closed = closed
    if not closed:
        if top:
            ctx.warn("The message is truncated: the closing MIME delimiter is missing.")
        else:
            ctx.warn(
                "A nested multipart has no closing delimiter; its parts were read up to "
                "where it ends."
            )
    return True


def _parse_multipart_body(entity: MimeEntity, ctx: _Ctx, depth: int, top: bool) -> None:
    if depth >= MAX_DEPTH:
        ctx.warn("The message nests multiparts too deeply; the innermost ones are kept unsplit.")
        return
    declared = entity.params.get("boundary")
    if declared:
        raw = declared.encode("utf-8", "surrogateescape")
        if _split_multipart(entity, raw, ctx, depth, top):
            return
        stripped = raw.strip()
        if stripped != raw and _split_multipart(entity, stripped, ctx, depth, top):
            return
    guessed = _guess_boundary(entity.body.lstrip(b" \t\r\n"))
    if guessed is not None and _split_multipart(entity, guessed, ctx, depth, top):
        if declared:
            ctx.warn(
                "A multipart's declared boundary does not occur in it; the boundary was "
                "taken from its first delimiter line."
            )
        elif not entity.synthetic:
            ctx.warn(
                "A multipart declares no boundary; the boundary was taken from its "
                "first delimiter line."
            )
        return
    ctx.warn(
        f"A part is declared as {entity.content_type or 'multipart'} but contains no MIME "
        "delimiter; it is kept as a single part."
    )


def _parse_entity(data: bytes, ctx: _Ctx, depth: int, top: bool = False) -> MimeEntity:
    headers, body_start, _blank = parse_headers(data)
    entity = _make_entity(headers, data[body_start:])
    if _is_multipart_type(entity.content_type):
        _parse_multipart_body(entity, ctx, depth, top)
    return entity


def parse_mime(data: bytes) -> tuple[MimeEntity, list[str]]:
    """Parse an MM7 body (or an e-mail / HTTP capture) into an entity tree."""
    ctx = _Ctx()
    text = data
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    stripped = text.lstrip(b" \t\r\n")
    offset = len(text) - len(stripped)
    if stripped.startswith(b"--"):
        boundary = _guess_boundary(stripped)
        root = MimeEntity(
            headers=[],
            body=stripped,
            content_type="multipart/mixed",
            params={},
            synthetic=True,
        )
        if boundary is not None and _split_multipart(root, boundary, ctx, 0, True):
            return root, ctx.warnings
        root.is_multipart = False
        root.content_type = None
        return root, ctx.warnings
    first_nl = stripped.find(b"\n")
    first_line = stripped[: first_nl if first_nl >= 0 else len(stripped)].rstrip(b"\r")
    if (
        _HTTP_REQUEST_RE.match(first_line)
        or _HTTP_STATUS_RE.match(first_line)
        or first_line.startswith(b"From ")
    ):
        start = offset + (first_nl + 1 if first_nl >= 0 else len(stripped))
        text = text[start:]
    else:
        text = stripped
    root = _parse_entity(text, ctx, 0, top=True)
    if not root.is_multipart and not _is_multipart_type(root.content_type):
        body = root.body.lstrip(b" \t\r\n")
        if body.startswith(b"--"):
            boundary = _guess_boundary(body)
            if boundary is not None:
                root.body = body
                if _split_multipart(root, boundary, ctx, 0, True):
                    ctx.warn("The message body is a multipart although its headers do not say so.")
    return root, ctx.warnings


def iter_leaves(entity: MimeEntity) -> Iterator[tuple[MimeEntity, list[MimeEntity]]]:
    """Depth-first leaves in document order, each with its chain of ancestors."""
    stack: list[tuple[MimeEntity, list[MimeEntity]]] = [(entity, [])]
    while stack:
        node, ancestors = stack.pop()
        if node.is_multipart:
            chain = [*ancestors, node]
            for child in reversed(node.children):
                stack.append((child, chain))
        else:
            yield node, ancestors
