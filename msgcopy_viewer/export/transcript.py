"""Messages as a plain-text transcript: one timestamped line each, in the chosen zone.

``[2024-09-16 20:30:39 BST] +1 214-555-5273 → +1 946-555-9040: See you at 8``
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

import phonenumbers

from msgcopy_viewer.core.parties import KIND_NUMBER, normalize_party, normalize_subscriber
from msgcopy_viewer.store.messages import Message

_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def display_number(raw: str, *, subscriber: bool = False) -> str:
    """A number in international form (``+1 214-555-5273``); anything that is not a phone
    number (an alphanumeric sender, a short code, an e-mail address) as received."""
    party = normalize_subscriber(raw) if subscriber else normalize_party(raw)
    if party.kind != KIND_NUMBER:
        return raw
    try:
        parsed = phonenumbers.parse(party.key, None)
    except phonenumbers.NumberParseException:
        return party.display
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def transcript_line(m: Message, when: datetime) -> str:
    """One message as a line; ``when`` is its time in the zone to show."""
    stamp = f"{when:%Y-%m-%d %H:%M:%S} {when.tzname() or ''}".rstrip()
    subscriber = display_number(m.sub_mobile or m.subscriber_mobile, subscriber=True)
    if m.outgoing:
        others = [display_number(p) for p in m.participants] or [display_number(m.other_party)]
        route = f"{subscriber} → {', '.join(others)}"
    else:
        route = f"{display_number(m.sender or m.other_party)} → {subscriber}"
    body = " ⏎ ".join(_NEWLINES.split(m.text)) if m.text else ""
    extras = []
    if m.subject:
        extras.append(f"(subject: {m.subject})")
    names = [p.name or p.content_type for p in m.parts if p.kind not in ("smil", "text")]
    if m.is_report:
        extras.append(f"[{m.report_summary()}]")
    elif m.is_mms and names:
        extras.append(f"[MMS attachments: {', '.join(names)}]")
    elif m.is_mms and not body:
        extras.append("[MMS]")
    text = " ".join([*extras[:1], body, *extras[1:]] if body else extras)
    return f"[{stamp}] {route}: {text}".rstrip()


def transcript(messages: Iterable[Message], to_datetime: Callable[[int, str], datetime]) -> str:
    """Lines in thread order (time, then rowid), ending with a newline. ``to_datetime`` gets
    each message's instant and raw ``startTime`` (a zone may show the offset recorded)."""
    ordered = sorted(messages, key=lambda m: m.key)
    return "".join(transcript_line(m, to_datetime(m.start_ms, m.start_raw)) + "\n" for m in ordered)
