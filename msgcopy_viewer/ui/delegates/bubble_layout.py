"""Where everything in a chat bubble goes: the layout half of the bubble delegate.

``layout_bubble`` places a message's date separator, sender name, subject, thumbnails,
chips, text and time for a given view width; ``BubbleLayouts`` keeps the results in an
LRU keyed by (message, width, zone generation, separator, name shown, font), because the
view asks for every row's size after each page load. Text is laid out with QTextLayout
(plain text, never rich text).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QStaticText, QTextLayout

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.store.messages import Message, Part
from msgcopy_viewer.ui.delegates.paint_util import make_layout
from msgcopy_viewer.ui.mms.part_info import human_size

H_MARGIN = 12
V_GAP = 4
PAD = 8
RADIUS = 12
THUMB = 120
THUMB_GAP = 4
MAX_THUMBS = 3
CHIP_GAP = 4
MAX_BUBBLE = 560
# Laid-out bubbles kept. Must be well above the thread window (ThreadModel.MAX_ROWS = 300,
# plus a page while it is being inserted): a relayout asks for every row in order, and an
# LRU smaller than the window would miss on every one of them.
CACHE_ITEMS = 2000

CHIP_LABELS = {"audio": "Audio", "video": "Video", "contact": "Contact", "file": "File"}


def chip_text(p: Part, contact_names: list[str] | None = None) -> str:
    """``Audio: voice.amr · 12 KB``; a contact chip names the contact(s) in the card."""
    label = CHIP_LABELS.get(p.kind, "File")
    what = p.name or p.media_type or "attachment"
    if p.kind == "contact" and contact_names:
        what = contact_names[0]
        if len(contact_names) > 1:
            what += f" +{len(contact_names) - 1}"
    return f"{label}: {show_invisible(what, keep_breaks=False)} · {human_size(p.size)}"


@dataclass
class BubbleLayout:
    height: float
    width: int = 0  # the view's width it was made for
    sep_h: float = 0.0
    name_h: float = 0.0
    bubble: QRectF = field(default_factory=QRectF)  # relative to the item's top-left
    subject: QTextLayout | None = None
    subject_pos: QPointF = field(default_factory=QPointF)
    thumbs: list[tuple[QRectF, Part]] = field(default_factory=list)
    more_images: int = 0
    chips: list[tuple[QRectF, str, Part]] = field(default_factory=list)
    text: QTextLayout | None = None
    text_pos: QPointF = field(default_factory=QPointF)
    time_y: float = 0.0
    # the time and date-separator texts, set by the delegate when first painted (the cache
    # key holds the zone's generation, so they stay right)
    time_text: str | None = None
    separator_text: str = ""
    # a delivery or read report: one status line in a small outlined pill, not a bubble
    status: QTextLayout | None = None
    # the time and date labels shaped for drawing (set by the painter)
    time_static: QStaticText | None = None
    sep_static: QStaticText | None = None

    def media(self) -> list[QRectF]:
        """Thumbnail and chip rectangles, relative to the bubble's top-left."""
        return [r for r, _p in self.thumbs] + [r for r, _t, _p in self.chips]


def bubble_fonts(font: QFont) -> tuple[QFont, QFont, QFont]:
    """(text, bold, small) fonts for a bubble drawn in ``font``."""
    base = QFont(font)
    bold = QFont(base)
    bold.setBold(True)
    small = QFont(base)
    if base.pointSizeF() > 0:
        small.setPointSizeF(max(6.0, base.pointSizeF() * 0.85))
    return base, bold, small


_last_fonts: tuple[QFont, tuple[QFont, QFont, QFont], QFontMetricsF] | None = None


def _fonts_and_metrics(font: QFont) -> tuple[tuple[QFont, QFont, QFont], QFontMetricsF]:
    """``bubble_fonts(font)`` and the small font's metrics, made again only when the font
    changes (every bubble laid out needs them; the font rarely changes)."""
    global _last_fonts
    if _last_fonts is None or _last_fonts[0] != font:
        fonts = bubble_fonts(font)
        _last_fonts = (QFont(font), fonts, QFontMetricsF(fonts[2]))
    return _last_fonts[1], _last_fonts[2]


def layout_bubble(
    m: Message, width: int, font: QFont, *, separator: bool, show_name: bool
) -> BubbleLayout:
    """The layout of message ``m`` in a view ``width`` pixels wide."""
    (base, bold, small), fm_small = _fonts_and_metrics(font)
    max_w = float(min(MAX_BUBBLE, int(width * 0.72)))
    inner = max_w - 2 * PAD
    lay = BubbleLayout(height=0, width=width)
    y = float(V_GAP)
    if separator:
        lay.sep_h = fm_small.height() + 16
        y += lay.sep_h
    if m.is_report:
        return _layout_status(m, lay, y, max_w, small)
    if show_name:
        lay.name_h = fm_small.height() + 2
        y += lay.name_h
    content_w = 0.0
    cy = float(PAD)
    if m.subject:
        sl, nat, h = make_layout(m.subject, bold, inner, keep=True)
        lay.subject, lay.subject_pos = sl, QPointF(PAD, cy)
        content_w = max(content_w, nat)
        cy += h + 4
    images = m.images
    if images:
        shown = images[:MAX_THUMBS]
        per_row = max(1, int((inner + THUMB_GAP) // (THUMB + THUMB_GAP)))
        x = float(PAD)
        col = 0
        for p in shown:
            if col == per_row:
                col, x = 0, float(PAD)
                cy += THUMB + THUMB_GAP
            lay.thumbs.append((QRectF(x, cy, THUMB, THUMB), p))
            content_w = max(content_w, x - PAD + THUMB)
            x += THUMB + THUMB_GAP
            col += 1
        lay.more_images = len(images) - len(shown)
        cy += THUMB + 4
    chips = m.attachments
    if chips:
        ch = fm_small.height() + 8
        for p in chips:
            names = m.envelope.contact_names(p.index) if m.envelope is not None else []
            text = chip_text(p, names)
            w = min(inner, fm_small.horizontalAdvance(text) + 16 + ch)
            lay.chips.append((QRectF(PAD, cy, w, ch), text, p))
            content_w = max(content_w, w)
            cy += ch + CHIP_GAP
    text = m.text
    if text or not (m.subject or images or chips):
        tl, nat, h = make_layout(
            text or ("(empty MMS)" if m.is_mms else "(empty)"), base, inner, keep=True
        )
        lay.text, lay.text_pos = tl, QPointF(PAD, cy)
        content_w = max(content_w, nat)
        cy += h
    cy += PAD
    bw = max(content_w + 2 * PAD, 48.0)
    bx = (width - H_MARGIN - bw) if m.outgoing else float(H_MARGIN)
    lay.bubble = QRectF(bx, y, bw, cy)
    y += cy + 2
    lay.time_y = y
    y += fm_small.height() + V_GAP
    lay.height = y
    return lay


def _layout_status(m: Message, lay: BubbleLayout, y: float, max_w: float, small: QFont):
    """A report's status line, centred: ``Delivery report: Retrieved (Success) · …``."""
    tl, nat, h = make_layout(m.report_summary(), small, max_w - 2 * PAD, keep=True)
    w = nat + 2 * PAD
    lay.status, lay.text_pos = tl, QPointF(PAD, PAD / 2)
    lay.bubble = QRectF((lay.width - w) / 2, y, w, h + PAD)
    y += lay.bubble.height() + 2
    lay.time_y = y
    lay.height = y + QFontMetricsF(small).height() + V_GAP
    return lay


class BubbleLayouts:
    """An LRU of laid-out bubbles."""

    def __init__(self, capacity: int = CACHE_ITEMS) -> None:
        self._capacity = capacity
        self._cache: OrderedDict[tuple, BubbleLayout] = OrderedDict()
        self._last_font: QFont | None = None
        self._last_font_key = ""

    def clear(self) -> None:
        self._cache.clear()

    def items(self):
        """((rowid, width, generation, separator, name shown, font), layout) pairs."""
        return self._cache.items()

    def __iter__(self):
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)

    def _font_key(self, font: QFont) -> str:
        """``QFont.key()`` is slow (tens of µs) and asked for every row; fonts rarely change."""
        if self._last_font is None or font != self._last_font:
            self._last_font = QFont(font)
            self._last_font_key = font.key()
        return self._last_font_key

    def has(
        self,
        m: Message,
        width: int,
        font: QFont,
        *,
        generation: int,
        separator: bool,
        show_name: bool,
    ) -> bool:
        key = (m.rowid, width, generation, separator, show_name, self._font_key(font))
        return key in self._cache

    def prepare(
        self,
        m: Message,
        width: int,
        font: QFont,
        *,
        generation: int,
        separator: bool,
        show_name: bool,
    ) -> int:
        """Lay ``m`` out unless it is cached (without refreshing its place in the LRU);
        returns 1 when it was laid out, else 0."""
        key = (m.rowid, width, generation, separator, show_name, self._font_key(font))
        if key in self._cache:
            return 0
        self._cache[key] = layout_bubble(m, width, font, separator=separator, show_name=show_name)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return 1

    def get(
        self,
        m: Message,
        width: int,
        font: QFont,
        *,
        generation: int,
        separator: bool,
        show_name: bool,
    ) -> BubbleLayout:
        key = (m.rowid, width, generation, separator, show_name, self._font_key(font))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        lay = layout_bubble(m, width, font, separator=separator, show_name=show_name)
        self._cache[key] = lay
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return lay
