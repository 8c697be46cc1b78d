"""The examiner's marks on a bubble: tag chips in their colours, a note and a bookmark
marker, drawn on the time line under the bubble (beside the time, so the bubble's layout
does not change when a message is tagged)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPolygonF
from PySide6.QtWidgets import QStyleOptionViewItem

from msgcopy_viewer.store.annotations import Marks
from msgcopy_viewer.store.messages import Message
from msgcopy_viewer.ui.delegates.bubble_layout import BubbleLayout

GAP = 4
NOTE_TEXT = "Note"


def mark_labels(marks: Marks) -> list[tuple[str, str | None]]:
    """What is drawn, in order: (text, colour) for each tag, then the note and bookmark
    markers (colour None: drawn in the palette's colours)."""
    out: list[tuple[str, str | None]] = [(t.name, t.color) for t in marks.tags]
    if marks.note is not None:
        out.append((NOTE_TEXT, None))
    return out


def _text_on(color: QColor) -> QColor:
    return QColor(0, 0, 0) if color.lightnessF() > 0.6 else QColor(255, 255, 255)


def paint_marks(
    painter: QPainter,
    option: QStyleOptionViewItem,
    m: Message,
    lay: BubbleLayout,
    bubble: QRectF,
    time_text: str,
    small: QFont,
    marks: Marks,
) -> None:
    fm = QFontMetricsF(small)
    h = fm.height()
    y = QRectF(option.rect).top() + lay.time_y
    pieces: list[tuple[float, str, str | None]] = [
        (fm.horizontalAdvance(text) + 10, text, color) for text, color in mark_labels(marks)
    ]
    if marks.bookmarked:
        pieces.append((h * 0.7, "", "bookmark"))
    width = sum(w for w, _t, _c in pieces) + GAP * len(pieces)
    time_w = fm.horizontalAdvance(time_text) + 2 * GAP + (h + 4 if m.warnings else 0)
    x = bubble.right() - time_w - width if m.outgoing else bubble.left() + time_w
    painter.setFont(small)
    pal = option.palette
    for w, text, color in pieces:
        rect = QRectF(x, y, w, h)
        if color == "bookmark":
            ribbon = QPolygonF(
                [
                    QPointF(rect.left(), rect.top()),
                    QPointF(rect.right(), rect.top()),
                    QPointF(rect.right(), rect.bottom()),
                    QPointF(rect.center().x(), rect.bottom() - h * 0.3),
                    QPointF(rect.left(), rect.bottom()),
                ]
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(pal.ColorRole.Highlight))
            painter.drawPolygon(ribbon)
        else:
            fill = QColor(color) if color else pal.color(pal.ColorRole.Base)
            painter.setPen(Qt.PenStyle.NoPen if color else pal.color(pal.ColorRole.Mid))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, h / 2, h / 2)
            painter.setPen(_text_on(fill) if color else pal.color(pal.ColorRole.Text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        x += w + GAP
