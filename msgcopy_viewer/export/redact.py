"""Redaction for reports (``--redact numbers|text|both``).

One function, ``Redactor.message``, turns a ``Message`` into the one every report writes,
so no format can forget a field:

* numbers: every phone number (parties, senders, recipients, the subscriber, contact card
  phones, and number-like runs inside any other text, paths included) keeps only its last
  four digits: ``+12145555273`` → ``+•••••••5273``.
* text: the message text, subject, contact names, attachment names and contact cards are
  replaced by their length: ``[redacted: 42 characters]``.
* either: the examiner's tag names are free text (a tag may name a person or hold a
  number), so a redacted report calls each tag by its number in the case's list
  (``TagNames``: ``tag 1``, ``tag 2`` …), wherever a tag is named (groups of the
  tagged-items report, the selection, the audit log).

The raw event is never written by a redacted report, and media parts that are text
(plain text, contact cards, SMIL, unknown files) are withheld: only images, audio and
video are kept (``keeps_part``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from msgcopy_viewer.export.selection import Selection
from msgcopy_viewer.store.annotations import list_tags
from msgcopy_viewer.store.messages import Contact, Envelope, Message, Part

MASK = "•"
MODES = ("numbers", "text", "both")
# a run of at least five digits, possibly with the usual phone separators inside
_NUMBERISH = re.compile(r"\+?\d(?:[\d\s().\-/]*\d){4,}")


def mask_number(text: str) -> str:
    """Every digit but the last four replaced by ``•``; formatting kept."""
    total = sum(c.isdigit() for c in text)
    if total <= 4:
        return text
    keep_from = total - 4
    seen = 0
    out: list[str] = []
    for c in text:
        if c.isdigit():
            out.append(MASK if seen < keep_from else c)
            seen += 1
        else:
            out.append(c)
    return "".join(out)


def mask_numbers_in(text: str) -> str:
    """Numbers inside free text (five digits or more) masked as ``mask_number`` does."""
    return _NUMBERISH.sub(lambda m: mask_number(m.group()), text)


def text_length(text: str | None) -> str:
    n = len(text or "")
    return f"[redacted: {n} character{'s' if n != 1 else ''}]"


@dataclass(frozen=True, slots=True)
class Redactor:
    numbers: bool = False
    text: bool = False

    @classmethod
    def for_mode(cls, mode: str | None) -> Redactor:
        if mode in (None, "", "none"):
            return cls()
        if mode not in MODES:
            raise ValueError(f"unknown redaction {mode!r} (numbers, text or both)")
        return cls(numbers=mode in ("numbers", "both"), text=mode in ("text", "both"))

    @property
    def active(self) -> bool:
        return self.numbers or self.text

    @property
    def mode(self) -> str:
        if self.numbers and self.text:
            return "both"
        return "numbers" if self.numbers else "text" if self.text else "none"

    def describe(self) -> dict[str, Any]:
        what: list[str] = []
        if self.numbers:
            what.append(
                "phone numbers (parties, subscriber, senders, recipients, contact cards, "
                "and any run of five or more digits in other text and in paths) keep only "
                "their last 4 digits"
            )
        if self.text:
            what.append(
                "message text, subjects, contact names, attachment names and contact "
                "cards are replaced by their length"
            )
        if self.active:
            what.append(
                "raw events are left out; text, contact-card, SMIL and unknown media "
                "parts are withheld (images, audio and video are kept)"
            )
        return {"mode": self.mode, "what": what}

    # -- fields --------------------------------------------------------------------------
    def number(self, value: str) -> str:
        return mask_number(value) if self.numbers else value

    def numbers_in(self, value: str) -> str:
        return mask_numbers_in(value) if self.numbers else value

    def content(self, value: str) -> str:
        if self.text:
            return text_length(value)
        return self.numbers_in(value)

    def opt_content(self, value: str | None) -> str | None:
        return None if value is None else self.content(value)

    def path(self, value: str) -> str:
        return self.numbers_in(value)

    def keeps_part(self, part: Part) -> bool:
        if not self.active:
            return True
        return part.kind in ("image", "audio", "video")

    # -- objects -------------------------------------------------------------------------
    def part(self, p: Part) -> Part:
        if not self.active:
            return p
        name = None if self.text else (None if p.name is None else self.numbers_in(p.name))
        loc = None if p.content_location is None else self.numbers_in(p.content_location)
        if self.text:
            loc = None if p.content_location is None else text_length(p.content_location)
        return replace(p, name=name, content_location=loc)

    def contact(self, c: Contact) -> Contact:
        return replace(
            c,
            name=self.opt_content(c.name),
            phones=tuple(self.content(self.number(x)) for x in c.phones)
            if self.text
            else tuple(self.number(x) for x in c.phones),
            emails=tuple(self.content(x) for x in c.emails),
            org=self.opt_content(c.org),
            addresses=tuple(self.content(x) for x in c.addresses),
            raw=None if c.raw is None else self.content(c.raw),
        )

    def envelope(self, e: Envelope) -> Envelope:
        return replace(
            e,
            subject=self.opt_content(e.subject),
            sender=None if e.sender is None else self.number(e.sender),
            to=tuple(self.number(x) for x in e.to),
            cc=tuple(self.number(x) for x in e.cc),
            bcc=tuple(self.number(x) for x in e.bcc),
            contacts=tuple(self.contact(c) for c in e.contacts),
        )

    def message(self, m: Message) -> Message:
        if not self.active:
            return m
        num = self.number
        return replace(
            m,
            other_party=num(m.other_party),
            sender=None if m.sender is None else num(m.sender),
            text=self.content(m.text) if m.text or self.text else m.text,
            subject=self.opt_content(m.subject),
            contact_names=self.content(m.contact_names) if m.contact_names else "",
            warnings=tuple(self.numbers_in(w) for w in m.warnings),
            sub_mobile=None if m.sub_mobile is None else num(m.sub_mobile),
            sub_did=None if m.sub_did is None else num(m.sub_did),
            sub_subr_id=None if m.sub_subr_id is None else self.numbers_in(m.sub_subr_id),
            source=replace(m.source, root=self.path(m.source.root), path=self.path(m.source.path)),
            participants=tuple(num(p) for p in m.participants),
            subscriber_key=num(m.subscriber_key),
            subscriber_mobile=num(m.subscriber_mobile),
            start_raw=m.start_raw,
            parts=tuple(self.part(p) for p in m.parts),
            envelope=None if m.envelope is None else self.envelope(m.envelope),
            raw_event=None,
        )

    def participants(self, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.number(p) for p in values)


NO_REDACTION = Redactor()


class TagNames:
    """How a report names the examiner's tags: as they are, or in a redacted report by a
    label that says nothing of the name, ``tag N``, N the tag's place in the case's list
    (so that every mention of one tag reads the same). A name no longer in the list (a
    deleted or renamed tag in the audit log) gets the next number when first met."""

    def __init__(self, redactor: Redactor, names: Iterable[str] = ()) -> None:
        self.active = redactor.active
        self._numbers: dict[str, int] = {}
        for name in names:
            self._number(name)

    @classmethod
    def of(cls, conn: sqlite3.Connection, redactor: Redactor) -> TagNames:
        return cls(redactor, [t.name for t in list_tags(conn)] if redactor.active else ())

    def _number(self, name: str) -> int:
        key = " ".join(name.split()).casefold()
        return self._numbers.setdefault(key, len(self._numbers) + 1)

    def __call__(self, name: str) -> str:
        return f"tag {self._number(name)}" if self.active else name


def redacted_selection(
    sel: Selection, redactor: Redactor, tag_names: TagNames | None = None
) -> Selection:
    """The selection as reports may show it: a subscriber's number masked, a search query
    replaced by its length when text is redacted (it may quote the messages), a tag by
    its label (``tag_names``; without it, by its length)."""
    if not redactor.active:
        return sel

    def tag(name: str | None) -> str | None:
        if name is None:
            return None
        return tag_names(name) if tag_names is not None else text_length(name)

    filters = sel.search_filters
    if filters is not None and filters.tagged is not None:
        filters = replace(filters, tagged=tag(filters.tagged))
    return replace(
        sel,
        subscriber=None if sel.subscriber is None else redactor.number(sel.subscriber),
        query=None if sel.query is None else redactor.content(sel.query),
        tagged=tag(sel.tagged),
        search_filters=filters,
    )
