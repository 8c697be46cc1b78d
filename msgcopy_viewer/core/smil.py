"""SMIL presentation → layout and slides.

Parsed with :mod:`defusedxml` (entity declarations / external references are
refused, a plain ``<!DOCTYPE smil ...>`` is allowed because real phones send
one).  Elements are matched by local name, so a SMIL namespace does not
matter.  Junk before ``<smil`` (e.g. leaked WSP headers) is skipped.

Slides:

* every ``<par>`` (inside ``<body>`` or inside nested ``<seq>``) is one slide,
  in document order;
* a media element directly inside ``<body>`` or a ``<seq>`` (no ``<par>``) is
  its own slide — SMIL plays the children of ``body``/``seq`` one after the
  other, so this is what a phone would show;
* slide duration: ``dur`` of the ``par``; else ``end - begin`` of the ``par``;
  else the latest item end (``end``, or ``begin + dur``); else ``None``.

Items keep their ``src`` as written; resolving it to a message part is done by
the caller (:mod:`msgcopy_viewer.core.mms`), so ``part`` is ``None`` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import defusedxml

from msgcopy_viewer.core.soap import XNode, xml_tree

__all__ = [
    "Layout",
    "Region",
    "Slide",
    "SlideItem",
    "SmilDocument",
    "SmilError",
    "parse_clock",
    "parse_smil",
]

_KINDS = {
    "img": "image",
    "image": "image",
    "text": "text",
    "textstream": "text",
    "audio": "audio",
    "video": "video",
    "ref": "ref",
    "animation": "ref",
}
_CLOCK_RE = re.compile(
    r"^\s*(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s*$"  # [hh:]mm:ss(.fff)
)
_TIMECOUNT_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(h|min|ms|s)?\s*$", re.I)
_SMIL_START_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?smil[\s>/]", re.I)


class SmilError(ValueError):
    """The SMIL text cannot be parsed at all."""


@dataclass(slots=True)
class SlideItem:
    kind: str
    part: int | None
    region: str | None
    src: str
    begin_ms: int | None = None
    end_ms: int | None = None


@dataclass(slots=True)
class Slide:
    duration_ms: int | None
    items: list[SlideItem]


@dataclass(slots=True)
class Region:
    id: str
    left: str | None
    top: str | None
    width: str | None
    height: str | None
    fit: str | None


@dataclass(slots=True)
class Layout:
    root_width: int | None
    root_height: int | None
    regions: dict[str, Region] = field(default_factory=dict)


@dataclass(slots=True)
class SmilDocument:
    layout: Layout | None
    slides: list[Slide]


def parse_clock(value: str | None) -> int | None:
    """SMIL clock value → milliseconds ("5000ms", "5s", "5", "0:05", "1.5min")."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    match = _TIMECOUNT_RE.match(value)
    if match:
        number = float(match.group(1))
        unit = (match.group(2) or "s").lower()
        factor = {"h": 3_600_000, "min": 60_000, "s": 1000, "ms": 1}[unit]
        return round(number * factor)
    match = _CLOCK_RE.match(value)
    if match:
        hours = int(match.group(1) or 0)
        minutes = int(match.group(2))
        seconds = float(match.group(3))
        return round(((hours * 60 + minutes) * 60 + seconds) * 1000)
    return None


def _int_dim(value: str | None) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*(?:px)?\s*", value, re.I)
    return int(match.group(1)) if match else None


def _attr(node: XNode, name: str) -> str | None:
    for key, value in node.attrs.items():
        if key.lower() == name:
            return value
    return None


def _layout(root: XNode) -> Layout | None:
    layout_node = root.find("layout")
    if layout_node is None:
        return None
    root_layout = layout_node.find("root-layout")
    layout = Layout(
        root_width=_int_dim(_attr(root_layout, "width")) if root_layout else None,
        root_height=_int_dim(_attr(root_layout, "height")) if root_layout else None,
    )
    for node in layout_node.iter():
        if node.name != "region":
            continue
        rid = _attr(node, "id") or _attr(node, "regionname")
        if not rid:
            continue
        layout.regions[rid] = Region(
            id=rid,
            left=_attr(node, "left"),
            top=_attr(node, "top"),
            width=_attr(node, "width"),
            height=_attr(node, "height"),
            fit=_attr(node, "fit"),
        )
    return layout


def _item(node: XNode) -> SlideItem | None:
    kind = _KINDS.get(node.name.lower())
    if kind is None:
        return None
    begin = parse_clock(_attr(node, "begin"))
    if begin is None:
        begin = parse_clock(_attr(node, "start"))
    end = parse_clock(_attr(node, "end"))
    if end is None and begin is not None:
        dur = parse_clock(_attr(node, "dur"))
        if dur is not None:
            end = begin + dur
    return SlideItem(
        kind=kind,
        part=None,
        region=_attr(node, "region"),
        src=_attr(node, "src") or "",
        begin_ms=begin,
        end_ms=end,
    )


def _par_items(par: XNode) -> list[SlideItem]:
    items: list[SlideItem] = []
    for node in par.iter():
        if node is par:
            continue
        item = _item(node)
        if item is not None:
            items.append(item)
    return items


def _par_duration(par: XNode, items: list[SlideItem]) -> int | None:
    dur = parse_clock(_attr(par, "dur"))
    if dur is not None:
        return dur
    begin = parse_clock(_attr(par, "begin"))
    end = parse_clock(_attr(par, "end"))
    if end is not None:
        return max(0, end - (begin or 0))
    ends = [it.end_ms for it in items if it.end_ms is not None]
    return max(ends) if ends else None


def _slides(container: XNode, out: list[Slide]) -> None:
    """Slides in document order; nested time containers are walked without recursion
    (a crafted SMIL may nest them to any depth)."""
    stack = [iter(container.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        lname = node.name.lower()
        if lname == "par":
            items = _par_items(node)
            out.append(Slide(duration_ms=_par_duration(node, items), items=items))
        elif lname in ("seq", "excl", "switch", "a"):
            stack.append(iter(node.children))
        else:
            item = _item(node)
            if item is not None:
                dur = parse_clock(_attr(node, "dur"))
                if dur is None and item.end_ms is not None:
                    dur = item.end_ms
                out.append(Slide(duration_ms=dur, items=[item]))


def parse_smil(data: bytes | str) -> SmilDocument:
    """Parse a SMIL document.  Raises :class:`SmilError` if it is unusable."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    match = _SMIL_START_RE.search(raw)
    if match is None:
        raise SmilError("no <smil> element")
    start = match.start()
    # Keep an XML declaration / DOCTYPE that precedes <smil> (parsers need the
    # encoding); drop anything else before it.
    prolog_at = raw.rfind(b"<?xml", 0, start)
    if prolog_at >= 0 and not raw[:prolog_at].strip():
        body = raw[prolog_at:]
    else:
        body = raw[start:]
    try:
        root = xml_tree(body, forbid_dtd=False)
    except defusedxml.DefusedXmlException as exc:
        raise SmilError("it declares entities, which are refused for safety") from exc
    except (ParseError, ValueError, UnicodeError, LookupError, RecursionError) as exc:
        raise SmilError(str(exc)[:120] or type(exc).__name__) from exc
    if root.name.lower() != "smil":
        raise SmilError(f"the root element is <{root.name}>, not <smil>")
    layout = _layout(root)
    slides: list[Slide] = []
    body_node = root.find("body")
    if body_node is not None:
        _slides(body_node, slides)
    return SmilDocument(layout=layout, slides=slides)
