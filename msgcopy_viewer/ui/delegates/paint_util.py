"""Small painting helpers shared by the delegates (palette-derived colours, plain-text layout)."""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextLayout, QTextOption

from msgcopy_viewer.core.text_safety import show_invisible

LINE_SEPARATOR = "\u2028"


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved towards ``b`` by ``t`` (0..1)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


# WCAG 2.x AA for normal text is 4.5:1; colours derived here aim a little above it so that
# rounding to 8-bit channels never lands below.
AA_CONTRAST = 4.5
_TARGET = 4.6


def relative_luminance(c: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def over(bg: QColor, fg: QColor) -> QColor:
    """``fg`` (with its alpha) painted over the opaque ``bg``."""
    return blend(bg, fg, fg.alphaF())


def muted(text: QColor, backgrounds: tuple[QColor, ...], t: float = 0.6) -> QColor:
    """Secondary text: ``text`` faded towards the first background by ``1 - t``, but never
    so far that it reads below AA on any of ``backgrounds``."""
    return _muted(text.rgb(), tuple(b.rgb() for b in backgrounds), t)


@lru_cache(maxsize=256)
def _muted(text_rgb: int, backgrounds: tuple[int, ...], t: float) -> QColor:
    text = QColor.fromRgb(text_rgb)
    bgs = [QColor.fromRgb(b) for b in backgrounds]
    colour = QColor(text)
    while t < 1.0:
        colour = blend(bgs[0], text, t)
        if all(contrast_ratio(colour, b) >= _TARGET for b in bgs):
            return colour
        t = min(1.0, t + 0.02)
    return text


def selection_band(palette: QPalette, strong: bool) -> QColor:
    """The translucent band behind a selected (or search-highlighted) bubble row."""
    band = QColor(palette.color(QPalette.ColorRole.Highlight))
    band.setAlpha(70 if strong else 35)
    return band


def bubble_muted(palette: QPalette) -> QColor:
    """Times, date pills and sender names of bubbles: they sit on the view's base, on the
    received tint (date pill) and on the selection bands."""
    base = palette.color(QPalette.ColorRole.Base)
    return muted(
        palette.color(QPalette.ColorRole.Text),
        (
            base,
            received_tint(palette),
            over(base, selection_band(palette, False)),
            over(base, selection_band(palette, True)),
        ),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def sent_tint(palette: QPalette) -> QColor:
    base = palette.color(QPalette.ColorRole.Base)
    return blend(
        base, palette.color(QPalette.ColorRole.Highlight), 0.45 if is_dark(palette) else 0.22
    )


def received_tint(palette: QPalette) -> QColor:
    base = palette.color(QPalette.ColorRole.Base)
    return blend(base, palette.color(QPalette.ColorRole.Text), 0.14 if is_dark(palette) else 0.08)


def plain_text(text: str) -> str:
    """Evidence text as a bubble or a list row shows it: invisible and bidirectional control
    characters as visible tokens (``⟦U+202E⟧``, ``core.text_safety``), newlines as line
    separators for QTextLayout. Layouts, highlights and find spans all count this text."""
    return (
        show_invisible(text)
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", LINE_SEPARATOR)
        .replace("\x00", "")
    )


def utf16_len(text: str) -> int:
    """Length of ``text`` as Qt counts it (UTF-16 code units: an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def marked_text(pieces: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    """Layout text and highlight spans from ``[(text, highlighted)…]`` pieces.

    The spans are ``(start, length)`` in UTF-16 units of the returned text, which is what
    ``QTextLayout.FormatRange`` counts: Python's character offsets would put every
    highlight after an emoji (👨‍👩‍👧‍👦 is 7 characters but 11 units) too far left."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for text, on in pieces:
        piece = plain_text(text)
        n = utf16_len(piece)
        if on and n:
            spans.append((pos, n))
        out.append(piece)
        pos += n
    return "".join(out), spans


def match_spans(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """``(start, length)`` in UTF-16 units of ``plain_text(text)`` of every match of
    ``pattern`` (find in the thread highlights them in a laid-out bubble)."""
    if pattern is None or not text:
        return []
    shown = plain_text(text)
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(shown):
        if m.end() > m.start():
            start = utf16_len(shown[: m.start()])
            spans.append((start, utf16_len(m.group(0))))
    return spans


def make_layout(
    text: str,
    font: QFont,
    width: float,
    formats: list[QTextLayout.FormatRange] | None = None,
    max_lines: int = 0,
    *,
    keep: bool = False,
) -> tuple[QTextLayout, float, float]:
    """Lay out plain text wrapped at ``width``; returns (layout, natural width, height).

    ``formats`` count UTF-16 units of ``plain_text(text)`` (see ``marked_text``). ``keep``:
    the layout is kept and drawn many times (its shaping is kept for drawing)."""
    layout = QTextLayout(plain_text(text), font)
    if keep:
        layout.setCacheEnabled(True)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(opt)
    if formats:
        layout.setFormats(formats)
    layout.beginLayout()
    y = 0.0
    natural = 0.0
    lines = 0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        natural = max(natural, line.naturalTextWidth())
        lines += 1
        if max_lines and lines >= max_lines:
            break
    layout.endLayout()
    return layout, natural, y


def highlight_formats(
    spans: list[tuple[int, int]], palette: QPalette, bold_font: QFont | None = None
) -> list[QTextLayout.FormatRange]:
    """Highlight formats for ``(start, length)`` spans in UTF-16 units (``marked_text``)."""
    out: list[QTextLayout.FormatRange] = []
    for start, length in spans:
        fr = QTextLayout.FormatRange()
        fr.start, fr.length = start, length
        fmt = QTextCharFormat()
        fmt.setBackground(match_background(palette))
        fmt.setForeground(palette.color(QPalette.ColorRole.Text))
        fmt.setFontWeight(QFont.Weight.Bold)
        fr.format = fmt
        out.append(fr)
    return out


def muted_placeholder(palette: QPalette) -> QColor:
    """The "Image…" placeholder text on a thumbnail's base-coloured box."""
    return muted(
        palette.color(QPalette.ColorRole.Text), (palette.color(QPalette.ColorRole.Base),), 0.5
    )


def match_background(palette: QPalette) -> QColor:
    """Behind a search match (its text is the palette's Text, in bold)."""
    return blend(
        palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight), 0.45
    )


def badge_background(palette: QPalette) -> QColor:
    """Count/MMS/Group badges of list rows (their text is the palette's Text)."""
    return blend(
        palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight), 0.3
    )


def row_colors(palette: QPalette, selected: bool) -> tuple[QColor, QColor, QColor]:
    """(text, background, secondary text) of a list row, selected or not."""
    role = QPalette.ColorRole
    fg = palette.color(role.HighlightedText if selected else role.Text)
    bg = palette.color(role.Highlight if selected else role.Base)
    return fg, bg, muted(fg, (bg,), 0.65)
