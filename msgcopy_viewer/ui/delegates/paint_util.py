"""Small painting helpers shared by the delegates (palette-derived colours, plain-text layout)."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextLayout, QTextOption

LINE_SEPARATOR = "\u2028"


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved towards ``b`` by ``t`` (0..1)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
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
    """Message text as QTextLayout wants it: newlines as line separators, no NULs."""
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", LINE_SEPARATOR)
        .replace("\x00", "")
    )


def make_layout(
    text: str,
    font: QFont,
    width: float,
    formats: list[QTextLayout.FormatRange] | None = None,
    max_lines: int = 0,
) -> tuple[QTextLayout, float, float]:
    """Lay out plain text wrapped at ``width``; returns (layout, natural width, height)."""
    layout = QTextLayout(plain_text(text), font)
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
    out: list[QTextLayout.FormatRange] = []
    for start, length in spans:
        fr = QTextLayout.FormatRange()
        fr.start, fr.length = start, length
        fmt = QTextCharFormat()
        fmt.setBackground(
            blend(
                palette.color(QPalette.ColorRole.Base),
                palette.color(QPalette.ColorRole.Highlight),
                0.45,
            )
        )
        fmt.setFontWeight(QFont.Weight.Bold)
        fr.format = fmt
        out.append(fr)
    return out
