"""What a transcript shows for one message, shared by the HTML and PDF reports.

``MessageView`` is the message as a reader of a transcript sees it: who, when (UTC and the
chosen zone), the slides of an MMS in SMIL order (text, images, audio, video, contact
cards), the parts no slide shows, warnings and provenance, and what the examiner added
(tags, note, bookmark, names with their numbers: ``export.marks``). A delivery or read
report has a ``status`` line instead of slides. Both reports render these, so they cannot
disagree about content. Text here is evidence: each renderer escapes it and
makes invisible characters visible (``visible``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.core.vcard import decode_charset
from msgcopy_viewer.export.marks import NOTHING, MessageMarks, ReportMarks
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor
from msgcopy_viewer.export.selection import format_in_zone, format_utc
from msgcopy_viewer.store.messages import Contact, Message, Part

MAX_TEXT_PART = 100_000  # characters of one text part shown in a transcript


@dataclass(slots=True)
class Item:
    kind: str  # text | image | audio | video | contact | file
    text: str | None = None
    part: Part | None = None
    contact: Contact | None = None


@dataclass(slots=True)
class MessageView:
    message: Message  # already redacted
    utc: str
    local: str
    sender: str
    slides: list[list[Item]] = field(default_factory=list)
    extras: list[Item] = field(default_factory=list)  # parts no slide shows
    marks: MessageMarks = NOTHING  # tags, note, bookmark, names (none when redacted)
    status: str = ""  # a delivery or read report's line (``Message.report_summary``)

    @property
    def outgoing(self) -> bool:
        return self.message.outgoing


def visible(text: str) -> str:
    """Evidence text with invisible and bidirectional control characters shown."""
    return show_invisible(text)


def sender_label(m: Message, subscriber: str, label: Callable[[str], str] = str) -> str:
    """Who sent ``m``; ``label`` adds a name to a number (``Name (number)``)."""
    if m.outgoing:
        return f"{label(subscriber)} (subscriber)"
    return label(m.sender or m.other_party)


TextOf = Callable[[Message, Part], str]


def decode_text(data: bytes, charset: str | None) -> str:
    """A text part as a transcript shows it: decoded as the app decodes it (declared
    charset, MIBenum numbers too, else UTF-8, else Latin-1), at most MAX_TEXT_PART."""
    return decode_charset(data, charset)[:MAX_TEXT_PART]


def build_view(
    m: Message,
    zone: tzinfo,
    text_of: TextOf,
    redactor: Redactor = NO_REDACTION,
    marks: ReportMarks | None = None,
) -> MessageView:
    """The view of ``m`` (redacted here, so callers pass the stored message); with
    ``marks``, the examiner's tags, note, bookmark and names (off when redacted)."""
    r = redactor.message(m)
    named = marks is not None and marks.enabled and not redactor.active

    def label(number: str) -> str:
        return marks.label(number, m) if named and marks is not None else number

    view = MessageView(
        message=r,
        utc=format_utc(m.start_ms),
        local=format_in_zone(m.start_ms, zone),
        sender=sender_label(r, r.sub_mobile or r.subscriber_mobile, label),
        marks=marks.of(m) if named and marks is not None else NOTHING,
        status=r.report_summary(),
    )
    if r.is_report:
        return view
    if not r.is_mms:
        view.slides.append([Item("text", text=r.text)])
        return view
    env = r.envelope
    contacts = env.contacts if env else ()
    shown: set[int] = set()

    def item_for(p: Part) -> Item:
        kind = p.kind
        if kind == "text":
            return Item("text", text=redactor.content(text_of(m, p)), part=p)
        if kind == "contact":
            cards = [c for c in contacts if c.part == p.index]
            return Item("contact", part=p, contact=cards[0] if cards else None)
        if kind in ("image", "audio", "video"):
            return Item(kind, part=p)
        return Item("file", part=p)

    for slide in env.slides if env else ():
        items: list[Item] = []
        raw_items = slide.get("items")
        for it in raw_items if isinstance(raw_items, list) else []:
            idx = it.get("part") if isinstance(it, dict) else None
            p = r.part(idx) if isinstance(idx, int) else None
            if p is None or p.is_smil:
                continue
            shown.add(p.index)
            items.append(item_for(p))
        if items:
            view.slides.append(items)
    if not view.slides and r.text:
        # no usable SMIL: the text first, then every part
        view.slides.append([Item("text", text=r.text)])
        shown.update(p.index for p in r.parts if p.kind == "text")
    for p in r.parts:
        if p.is_smil or p.index in shown:
            continue
        view.extras.append(item_for(p))
    return view
