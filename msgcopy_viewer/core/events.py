"""Parse Message Copy documents (``{"smsEvent": [...]}``) into plain events.

The vendor format is described in ``docs/formats.md``. Parsing is strict about
what the format requires and lenient about everything else: unknown fields are
kept in the raw event, a UTF-8 byte-order mark is tolerated, and ``startTime``
is accepted with or without milliseconds and with ``Z``, ``+0000`` or ``+00:00``
offsets.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

DIRECTIONS = ("mo", "mt")
MESSAGE_TYPES = ("sms", "mms")


class DocumentError(ValueError):
    """The file is not a usable Message Copy document; ``str()`` is the reason."""


@dataclass(slots=True)
class Event:
    """One message event as received, validated."""

    index: int  # 0-based position in smsEvent
    direction: str  # "mo" | "mt"
    start_raw: str
    start_ms: int  # UTC instant, milliseconds since the epoch
    message_type: str  # "sms" | "mms"
    message: str
    content_type: str | None
    mobile: str
    domain: str | None
    did: str | None
    subr_id: str | None
    other_party: str
    raw: dict[str, Any]  # the event object exactly as parsed, unknown fields included
    raw_text: str  # the event's JSON text exactly as it stands in the file
    canonical: str  # identity form: sorted keys, no spaces, message replaced by its SHA-256
    fingerprint: str  # SHA-256 of ``canonical``: equal events, equal fingerprint
    warnings: tuple[str, ...] = ()  # damage found while reading (lone surrogates, repeated keys)

    @property
    def message_id(self) -> str:
        """Stable public id: derived from the event's content, so re-imports agree."""
        return self.fingerprint[:24]


_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)$"
)


_FAST_TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The instants a datetime (and so every reader of the case) can represent: years 1-9999 UTC.
MIN_MS = (calendar.timegm((1, 1, 1, 0, 0, 0, 0, 0, 0))) * 1000
MAX_MS = (calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0))) * 1000 + 999


def _in_range(value: str, ms: int) -> int:
    if not MIN_MS <= ms <= MAX_MS:
        raise ValueError(f"{value!r} falls outside the years 1-9999 once converted to UTC")
    return ms


def parse_start_time(value: str) -> int:
    """Return the UTC instant in ms for a vendor ``startTime``; raise ValueError if invalid."""
    if _FAST_TIME_RE.fullmatch(value):
        # The vendor's own form: datetime's C parser does it in a microsecond.
        try:
            delta = datetime.fromisoformat(value) - _EPOCH
        except ValueError:
            pass  # out-of-range field: the slow path below says which
        else:
            ms = (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
            return ms if MIN_MS <= ms <= MAX_MS else _in_range(value, ms)
    m = _TIME_RE.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a time like 2024-09-16T19:30:39.090+0000")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac = m.group(7) or "0"
    millis = int((frac + "00")[:3])
    if not (year >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        raise ValueError(f"{value!r} has an impossible date")
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError(f"{value!r} has an impossible time of day")
    tz = m.group(8)
    offset_min = 0
    if tz not in ("Z", "z"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        oh = int(digits[:2])
        om = int(digits[2:4]) if len(digits) >= 4 else 0
        if oh > 23 or om > 59:
            raise ValueError(f"{value!r} has an impossible UTC offset")
        offset_min = sign * (oh * 60 + om)
    seconds = calendar.timegm((year, month, day, hour, minute, min(second, 59), 0, 0, 0))
    return _in_range(value, (seconds - offset_min * 60) * 1000 + millis)


def recorded_offset_min(value: str | None) -> int | None:
    """The UTC offset, in minutes, a ``startTime`` was written with (``+0100`` is 60, ``Z``
    is 0); None when there is no readable one."""
    if not value:
        return None
    m = _TIME_RE.match(value.strip())
    if not m:
        return None
    tz = m.group(8)
    if tz in ("Z", "z"):
        return 0
    digits = tz[1:].replace(":", "")
    oh = int(digits[:2])
    om = int(digits[2:4]) if len(digits) >= 4 else 0
    if oh > 23 or om > 59:
        return None
    return (-1 if tz[0] == "-" else 1) * (oh * 60 + om)


def format_utc_ms(ms: int) -> str:
    """``2024-09-16T19:30:39.090Z`` for an instant in ms."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}Z"
    )


def _text(
    event: dict[str, Any], index: int, path: str, value: Any, *, required: bool
) -> str | None:
    if value is None:
        if required:
            raise DocumentError(f"event {index}: required field {path} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DocumentError(
            f"event {index}: field {path} must be a string, not {type(value).__name__}"
        )
    text = str(value)
    if required and not text.strip():
        raise DocumentError(f"event {index}: required field {path} is empty")
    return text


def _object(event: dict[str, Any], index: int, key: str) -> dict[str, Any]:
    value = event.get(key)
    if value is None:
        raise DocumentError(f"event {index}: required field {key} is missing")
    if not isinstance(value, dict):
        raise DocumentError(
            f"event {index}: field {key} must be an object, not {type(value).__name__}"
        )
    return value


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":"))
_LEAF_TYPES = frozenset((str, int, bool, type(None)))


def canonical_json(obj: Any) -> str:
    """``json.dumps(obj, sort_keys=True, ensure_ascii=True, separators=(",", ":"))``."""
    return _CANONICAL.encode(obj)


def is_plain(event: dict[str, Any]) -> bool:
    """True when the event holds only strings, integers, booleans and nulls, directly or
    in objects one level down (the vendor's shape). For such objects orjson reads and
    writes exactly what the standard library does, and several times faster."""
    for value in event.values():
        kind = type(value)
        if kind is dict:
            for inner in value.values():
                if type(inner) not in _LEAF_TYPES:
                    return False
        elif kind not in _LEAF_TYPES:
            return False
    return True


def identity_json(event: dict[str, Any], message: str) -> str:
    """Canonical JSON of the event with ``message`` replaced by the SHA-256 of its UTF-8
    bytes: the same for every copy of the event however it was formatted, and cheap to
    build even when the message is a multi-megabyte MMS body."""
    digest = hashlib.sha256(message.encode("utf-8", "surrogatepass")).hexdigest()
    obj = {**event, "message": {"sha256": digest}}
    if is_plain(event):
        # orjson gives the same text as canonical_json when its output is printable
        # ASCII (canonical_json escapes everything else); integers beyond 64 bits and
        # lone surrogates make it raise. A property test holds the two to each other.
        try:
            out = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            pass
        else:
            if out.isascii() and b"\x7f" not in out:
                return out.decode("ascii")
    return canonical_json(obj)


def parse_event(event: Any, index: int, raw_text: str | None = None) -> Event:
    """Validate one element of ``smsEvent`` (``raw_text``: its JSON text in the file)."""
    if type(event) is dict:
        fast = _parse_plain_event(event, index, raw_text)
        if fast is not None:
            return fast
    return _parse_event_checked(event, index, raw_text)


_OPTIONAL_TEXT = (str, type(None))


def _parse_plain_event(event: dict[str, Any], index: int, raw_text: str | None) -> Event | None:
    """The common case, checked in one pass: every field present with its usual type and
    value. None when anything is unusual; ``_parse_event_checked`` then handles it (and
    names what is wrong). Both give the same Event for any input this accepts."""
    get = event.get
    direction = get("direction")
    start_raw = get("startTime")
    sub = get("subscriberParty")
    other = get("otherParty")
    mtype = get("messageType")
    message = get("message")
    content_type = get("messageContentType")
    segment = get("segment")
    if not (
        direction in DIRECTIONS
        and mtype in MESSAGE_TYPES
        and type(start_raw) is str
        and type(sub) is dict
        and type(other) is dict
        and type(message) is str
        and type(content_type) in _OPTIONAL_TEXT
        and (segment is None or type(segment) is dict)
    ):
        return None
    mobile = sub.get("mobile")
    number = other.get("number")
    domain = sub.get("domain")
    did = sub.get("did")
    subr_id = sub.get("subrId")
    if not (
        type(mobile) is str
        and type(number) is str
        and type(domain) in _OPTIONAL_TEXT
        and type(did) in _OPTIONAL_TEXT
        and type(subr_id) in _OPTIONAL_TEXT
    ):
        return None
    mobile = mobile.strip()
    number = number.strip()
    if not (mobile and number):
        return None
    try:
        start_ms = parse_start_time(start_raw)
    except ValueError:
        return None  # the checked path says what is wrong with it
    canonical = identity_json(event, message)
    return Event(
        index,
        direction,
        start_raw,
        start_ms,
        mtype,
        message,
        content_type,
        mobile,
        domain,
        did,
        subr_id,
        number,
        event,
        raw_text if raw_text is not None else json.dumps(event, ensure_ascii=False),
        canonical,
        hashlib.sha256(canonical.encode("ascii")).hexdigest(),
    )


def _parse_event_checked(event: Any, index: int, raw_text: str | None) -> Event:
    if not isinstance(event, dict):
        raise DocumentError(f"event {index}: must be an object, not {type(event).__name__}")
    direction = _text(event, index, "direction", event.get("direction"), required=True)
    assert direction is not None
    if direction.lower() not in DIRECTIONS:
        raise DocumentError(f"event {index}: direction must be 'mo' or 'mt', not {direction!r}")
    start_raw = _text(event, index, "startTime", event.get("startTime"), required=True)
    assert start_raw is not None
    try:
        start_ms = parse_start_time(start_raw)
    except ValueError as exc:
        raise DocumentError(f"event {index}: startTime {exc}") from None
    sub = _object(event, index, "subscriberParty")
    mobile = _text(event, index, "subscriberParty.mobile", sub.get("mobile"), required=True)
    other = _object(event, index, "otherParty")
    number = _text(event, index, "otherParty.number", other.get("number"), required=True)
    mtype = _text(event, index, "messageType", event.get("messageType"), required=True)
    assert mtype is not None
    if mtype.lower() not in MESSAGE_TYPES:
        raise DocumentError(f"event {index}: messageType must be 'sms' or 'mms', not {mtype!r}")
    if "message" not in event or event["message"] is None:
        raise DocumentError(f"event {index}: required field message is missing")
    message = event["message"]
    if not isinstance(message, str):
        raise DocumentError(
            f"event {index}: field message must be a string, not {type(message).__name__}"
        )
    content_type = _text(
        event, index, "messageContentType", event.get("messageContentType"), required=False
    )
    segment = event.get("segment")
    if segment is not None and not isinstance(segment, dict):
        raise DocumentError(f"event {index}: field segment must be an object")
    canonical = identity_json(event, message)
    fingerprint = hashlib.sha256(canonical.encode("ascii")).hexdigest()
    assert mobile is not None and number is not None
    return Event(
        index=index,
        direction=direction.lower(),
        start_raw=start_raw,
        start_ms=start_ms,
        message_type=mtype.lower(),
        message=message,
        content_type=content_type,
        mobile=mobile.strip(),
        domain=_text(event, index, "subscriberParty.domain", sub.get("domain"), required=False),
        did=_text(event, index, "subscriberParty.did", sub.get("did"), required=False),
        subr_id=_text(event, index, "subscriberParty.subrId", sub.get("subrId"), required=False),
        other_party=number.strip(),
        raw=event,
        raw_text=raw_text if raw_text is not None else json.dumps(event, ensure_ascii=False),
        canonical=canonical,
        fingerprint=fingerprint,
    )


def _max_digits() -> int:
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    return int(limit) or 4300


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def skip(text: str, i: int) -> int:
    """Index of the first non-whitespace character at or after ``i``."""
    m = _WS.match(text, i)
    return m.end() if m is not None else i


_HEAD = re.compile(r'\s*\{\s*"smsEvent"\s*:\s*\[')
_TAIL = re.compile(r"\]\s*\}\s*$")


def _single_event_fast(text: str, data: bytes) -> tuple[Any, list[str]] | None:
    """The vendor's own shape, ``{"smsEvent": [ {one event} ]}``: parse it with orjson
    and take the event's text from between the brackets. None for anything else
    (``_split_events`` then reads it exactly with the standard library)."""
    head = _HEAD.match(text)
    tail = _TAIL.search(text)
    if head is None or tail is None or text.find('"smsEvent"', head.end()) != -1:
        return None  # (a second smsEvent key: only the exact scan can tell which is used)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None  # the exact scan reads it, or says what is wrong
    if type(doc) is not dict or len(doc) != 1:
        return None
    events = doc.get("smsEvent")
    if type(events) is not list or len(events) != 1:
        return None
    if type(events[0]) is not dict or not is_plain(events[0]):
        return None  # floats (orjson reads integers beyond 64 bits as floats), lists …
    raw = text[head.end() : tail.start()].strip()
    if not (raw.startswith("{") and raw.endswith("}")):
        return None
    return events, [raw]


class _Malformed(Exception):
    """The fast scan could not read the document; ``json.loads`` says why."""


def _split_events(text: str) -> tuple[Any, list[str] | None]:
    """Read ``{"smsEvent": [...], ...}`` keeping each event's exact JSON text.

    Returns (smsEvent value, the events' texts or None when smsEvent is not a list).
    Raises _Malformed on anything unexpected; KeyError when there is no smsEvent.
    """
    dec = _DECODER.raw_decode
    try:
        i = skip(text, 0)
        if text[i] != "{":
            raise _Malformed
        i = skip(text, i + 1)
        found = False
        value: Any = None
        spans: list[str] | None = None
        if text[i] == "}":
            raise KeyError("smsEvent")
        while True:
            key, i = dec(text, i)
            if not isinstance(key, str):
                raise _Malformed
            i = skip(text, i)
            if text[i] != ":":
                raise _Malformed
            i = skip(text, i + 1)
            if key == "smsEvent" and text[i] == "[":
                found = True
                value, spans = [], []
                i = skip(text, i + 1)
                if text[i] == "]":
                    i += 1
                else:
                    while True:
                        start = i
                        item, i = dec(text, i)
                        value.append(item)
                        spans.append(text[start:i])
                        i = skip(text, i)
                        if text[i] == ",":
                            i = skip(text, i + 1)
                            continue
                        if text[i] != "]":
                            raise _Malformed
                        i += 1
                        break
            else:
                item, i = dec(text, i)
                if key == "smsEvent":
                    found, value, spans = True, item, None
            i = skip(text, i)
            if text[i] == ",":
                i = skip(text, i + 1)
                continue
            if text[i] != "}":
                raise _Malformed
            i = skip(text, i + 1)
            break
        if i != len(text):
            raise _Malformed
    except (IndexError, ValueError) as exc:
        raise _Malformed from exc
    if not found:
        raise KeyError("smsEvent")
    return value, spans


def parse_document(data: bytes) -> list[Event]:
    """Parse a whole file. Raises DocumentError naming the reason (and event index/field)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise DocumentError("empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    spans: list[str] | None = None
    try:
        events, spans = _single_event_fast(text, data) or _split_events(text)
    except KeyError:
        raise DocumentError("not a Message Copy document (no smsEvent list)") from None
    except RecursionError:
        raise DocumentError("not JSON (nested too deeply)") from None
    except _Malformed:
        # Not the expected shape: let the standard parser say precisely what is wrong.
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DocumentError(
                f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
        except RecursionError:
            raise DocumentError("not JSON (nested too deeply)") from None
        except ValueError:
            # The standard parser refuses integers of more than sys.get_int_max_str_digits()
            # digits (4300 by default): converting them takes time quadratic in their length.
            raise DocumentError(
                f"not usable JSON (a number has more than {_max_digits()} digits)"
            ) from None
        if not isinstance(doc, dict) or "smsEvent" not in doc:
            raise DocumentError("not a Message Copy document (no smsEvent list)") from None
        events = doc["smsEvent"]
    if isinstance(events, dict):
        # A single event object instead of a one-element list: seen from hand-made senders.
        events = [events]
        spans = None
    if not isinstance(events, list):
        raise DocumentError("not a Message Copy document (smsEvent is not a list)")
    if not events:
        raise DocumentError("Message Copy document with no events (smsEvent is empty)")
    out = []
    for i, ev in enumerate(events):
        span = spans[i] if spans is not None else None
        event = parse_event(ev, i, span)
        if span is None or _suspect(event, span):
            _inspect_damage(event, span)
        out.append(event)
    return out


# -- damage the JSON readers hide: repeated keys and lone surrogates --------------------------
_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = (
    ("message", "message"),
    ("mobile", "subscriberParty.mobile"),
    ("other_party", "otherParty.number"),
    ("domain", "subscriberParty.domain"),
    ("did", "subscriberParty.did"),
    ("subr_id", "subscriberParty.subrId"),
    ("content_type", "messageContentType"),
    ("start_raw", "startTime"),
)


_ESCAPES_TO_CHECK = re.compile(r"\\u(?:[dD]|003)")  # a surrogate, or an escaped colon


def _suspect(event: Event, span: str) -> bool:
    """Cheap test, run on every event: False when the event's text can hold neither a
    repeated key nor a lone surrogate. Only an escape can make a lone surrogate. Without
    repeated keys, the text's colons are one per key plus those inside strings, which is
    what the identity text (``canonical``: every key once, every string as it is, the
    message replaced by ``{"sha256": …}``) holds, less that one key, plus the message's
    own. A repeated key adds at least one colon; only an escaped colon (``\\u003a``)
    could hide it, and that is checked. True sends the event to the exact check."""
    if _ESCAPES_TO_CHECK.search(span) is not None:
        return True
    expected = event.canonical.count(":") - 1 + event.message.count(":")
    return span.count(":") != expected


def _pairs_hook(found: list[str]) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj and key not in found:
                found.append(key)
            obj[key] = value
        return obj

    return hook


def _inspect_damage(event: Event, span: str | None) -> None:
    """Add warnings (and a distinct identity) for repeated keys; replace lone surrogates
    (which no case or display can hold) by U+FFFD in the fields read, with a warning.
    The raw event text keeps the original either way."""
    warnings = list(event.warnings)
    repeated: list[str] = []
    if span is not None:
        try:
            json.loads(span, object_pairs_hook=_pairs_hook(repeated))
        except (ValueError, RecursionError):
            pass  # read once already; nothing more to learn here
    if repeated:
        names = ", ".join(repr(k) for k in repeated[:10])
        warnings.append(
            f"The event repeats the key(s) {names}: the last value of each is used, as by "
            "every JSON reader; the raw event shows the hidden earlier value(s)"
        )
        # Two files that differ only in a hidden earlier value are different evidence:
        # the identity then covers the event's exact text, so neither hides the other.
        assert span is not None
        text_sha = hashlib.sha256(span.encode("utf-8", "surrogatepass")).hexdigest()
        event.canonical = f"{event.canonical}+text:{text_sha}"
        event.fingerprint = hashlib.sha256(event.canonical.encode("ascii")).hexdigest()
    for attr, name in _TEXT_FIELDS:
        value = getattr(event, attr)
        if value is not None and _SURROGATE.search(value):
            setattr(event, attr, _SURROGATE.sub("\ufffd", value))
            warnings.append(
                f"Field {name} holds a lone surrogate escape (such as \\ud800, which is not "
                "a character): shown as U+FFFD; the raw event keeps the original"
            )
    if _SURROGATE.search(event.raw_text):
        event.raw_text = json.dumps(event.raw, ensure_ascii=True)
    event.warnings = tuple(warnings)
