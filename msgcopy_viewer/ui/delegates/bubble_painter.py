"""Drawing a laid-out chat bubble: the painting half of the bubble delegate.

``BubblePainter.paint`` draws what ``bubble_layout`` placed — date separator, sender
name, bubble, subject, thumbnails (from the thumbnail cache, a placeholder until decoded
or when the image may not be decoded), chips, text, time and warning icon — with
``save()``/``restore()`` around it. It reads nothing but its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QElapsedTimer, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.store.annotations import Marks
from msgcopy_viewer.store.messages import Message, Part
from msgcopy_viewer.ui.delegates.bubble_layout import RADIUS, BubbleLayout, bubble_fonts
from msgcopy_viewer.ui.delegates.bubble_marks import paint_marks
from msgcopy_viewer.ui.delegates.paint_util import (
    bubble_muted,
    muted_placeholder,
    received_tint,
    selection_band,
    sent_tint,
)
from msgcopy_viewer.ui.icons import icon as named_icon

CHIP_ICONS = {"audio": "audio", "video": "video", "contact": "contact", "file": "attachment"}

# Called for every thumbnail drawn: (its rect relative to the item's top-left, the part).
ThumbDrawn = Callable[[QRectF, Part], None]


class BubbleColours(NamedTuple):
    """The palette-derived colours of a bubble, worked out once per palette (deriving them
    costs a dozen palette lookups and blends, and every bubble of every paint needs them)."""

    text: QColor
    muted: QColor
    sent: QColor
    received: QColor
    highlight: QColor
    band: QColor  # behind a selected row
    band_strong: QColor  # behind the highlighted (searched-for) row


def bubble_colours(pal: QPalette) -> BubbleColours:
    return BubbleColours(
        text=pal.color(QPalette.ColorRole.Text),
        muted=bubble_muted(pal),
        sent=sent_tint(pal),
        received=received_tint(pal),
        highlight=pal.color(QPalette.ColorRole.Highlight),
        band=selection_band(pal, False),
        band_strong=selection_band(pal, True),
    )


def _static(lay: BubbleLayout, slot: str, text: str, font: QFont) -> QStaticText:
    """The bubble's time or date label as a QStaticText (plain text), shaped once and kept
    with the layout: drawn on every paint, shaping it each time was a good part of one."""
    label: QStaticText | None = getattr(lay, slot)
    if label is None or label.text() != text:
        label = QStaticText(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.prepare(QTransform(), font)
        setattr(lay, slot, label)
    return label


class BubblePainter:
    def __init__(self, thumbnails=None) -> None:
        self._thumbs = thumbnails
        self.clock = QElapsedTimer()  # animated thumbnails show the frame of this time
        self.clock.start()
        self._font: QFont | None = None  # the font the fonts below were made from
        self._fonts: tuple[QFont, QFont, QFont] | None = None
        self._small_metrics: QFontMetricsF | None = None
        self._colours: dict[int, BubbleColours] = {}  # by QPalette.cacheKey()

    def colours(self, pal: QPalette) -> BubbleColours:
        key = pal.cacheKey()
        got = self._colours.get(key)
        if got is None:
            if len(self._colours) > 8:  # palettes change rarely (theme, dark mode)
                self._colours.clear()
            got = self._colours[key] = bubble_colours(pal)
        return got

    def _fonts_for(self, font: QFont) -> tuple[tuple[QFont, QFont, QFont], QFontMetricsF]:
        """(text, bold, small) fonts and the small font's metrics, made once per font."""
        if self._fonts is None or self._small_metrics is None or font != self._font:
            self._font = QFont(font)
            self._fonts = bubble_fonts(font)
            self._small_metrics = QFontMetricsF(self._fonts[2])
        return self._fonts, self._small_metrics

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        m: Message,
        lay: BubbleLayout,
        *,
        separator_text: str,
        time_text: str,
        highlighted: bool,
        thumb_drawn: ThumbDrawn | None = None,
        found: tuple[list, list] = ([], []),
        marks: Marks | None = None,
        sender_label: str | None = None,
    ) -> None:
        """``found``: highlight formats of find-in-thread matches in the subject and text."""
        pal: QPalette = option.palette
        colours = self.colours(pal)
        (_base, bold, small), fm_small = self._fonts_for(option.font)
        r = QRectF(option.rect)
        ox, oy = r.left(), r.top()
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            if highlighted or selected:
                band = colours.band_strong if highlighted else colours.band
                top = oy + lay.sep_h
                painter.fillRect(QRectF(r.left(), top, r.width(), r.height() - lay.sep_h), band)
            text_color = colours.text
            muted = colours.muted
            if lay.sep_h:
                painter.setFont(small)
                label = _static(lay, "sep_static", separator_text, small)
                tw = label.size().width() + 20
                pill = QRectF(ox + (r.width() - tw) / 2, oy + 6, tw, fm_small.height() + 6)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colours.received)
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.setPen(muted)
                painter.drawStaticText(QPointF(pill.left() + 10, pill.top() + 3), label)
            if lay.status is not None:
                self._paint_status(painter, lay, ox, oy, r, time_text, small, muted)
                return
            if lay.name_h:  # sender name (group conversations)
                painter.setFont(small)
                painter.setPen(muted)
                name_rect = QRectF(
                    ox + lay.bubble.left() + 4,
                    oy + lay.bubble.top() - lay.name_h,
                    r.width() * 0.7,
                    lay.name_h,
                )
                painter.drawText(
                    name_rect,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    show_invisible(sender_label or m.sender or m.other_party, keep_breaks=False),
                )
            bubble = lay.bubble.translated(ox, oy)
            path = QPainterPath()
            path.addRoundedRect(bubble, RADIUS, RADIUS)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.fillPath(path, colours.sent if m.outgoing else colours.received)
            if highlighted:
                painter.setPen(colours.highlight)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
            painter.setPen(text_color)
            origin = bubble.topLeft()
            if lay.subject is not None:
                lay.subject.draw(painter, origin + lay.subject_pos, found[0])
            for rect, part in lay.thumbs:
                self.paint_thumb(painter, rect.translated(origin), part, pal)
                if thumb_drawn is not None:
                    thumb_drawn(rect.translated(lay.bubble.topLeft()), part)
            if lay.more_images and lay.thumbs:
                last = lay.thumbs[-1][0].translated(origin)
                painter.fillRect(last, QColor(0, 0, 0, 110))
                painter.setPen(QColor(255, 255, 255))
                painter.setFont(bold)
                painter.drawText(last, Qt.AlignmentFlag.AlignCenter, f"+{lay.more_images}")
            if lay.chips:
                self._paint_chips(painter, lay, origin, fm_small, small, pal, text_color)
            if lay.text is not None:
                painter.setPen(text_color)
                lay.text.draw(painter, origin + lay.text_pos, found[1])
            self._paint_time(painter, option, m, lay, bubble, time_text, small, fm_small, muted)
            if marks is not None and not marks.empty:
                paint_marks(painter, option, m, lay, bubble, time_text, small, marks)
            if (
                option.state & QStyle.StateFlag.State_HasFocus
                and option.widget is not None
                and option.widget.hasFocus()
            ):
                painter.setPen(colours.highlight)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(bubble.adjusted(-2, -2, 2, 2), RADIUS + 2, RADIUS + 2)
        finally:
            painter.restore()

    @staticmethod
    def _paint_status(painter, lay, ox, oy, r, time_text, small, muted) -> None:
        """A report: its status line in an outlined pill, the time centred under it."""
        pill = lay.bubble.translated(ox, oy)
        painter.setPen(muted)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setFont(small)
        lay.status.draw(painter, pill.topLeft() + lay.text_pos)
        fm_small = QFontMetricsF(small)
        painter.drawText(
            QRectF(r.left(), oy + lay.time_y, r.width(), fm_small.height()),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            time_text,
        )

    @staticmethod
    def _paint_chips(painter, lay, origin, fm_small, small, pal, text_color) -> None:
        painter.setFont(small)
        for rect, text, part in lay.chips:
            chip = rect.translated(origin)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
            side = chip.height() - 8
            named_icon(CHIP_ICONS.get(part.kind, "attachment")).paint(
                painter, int(chip.left() + 8), int(chip.top() + 4), int(side), int(side)
            )
            painter.setPen(text_color)
            text_rect = chip.adjusted(8 + side + 4, 0, -8, 0)
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                fm_small.elidedText(text, Qt.TextElideMode.ElideMiddle, text_rect.width()),
            )

    @staticmethod
    def _paint_time(
        painter, option, m: Message, lay, bubble, time_text, small, fm_small, muted
    ) -> None:
        """The time (and warning icon) under the bubble."""
        painter.setFont(small)
        painter.setPen(muted)
        label = _static(lay, "time_static", time_text, small)
        tw = label.size().width()
        ty = QRectF(option.rect).top() + lay.time_y
        icon_w = fm_small.height() if m.warnings else 0
        if m.outgoing:
            tx = bubble.right() - tw - 4
        else:
            tx = bubble.left() + 4 + (icon_w + 4 if icon_w else 0)
        if m.warnings and option.widget is not None:
            icon = option.widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            ix = tx - icon_w - 4 if m.outgoing else bubble.left() + 4
            icon.paint(painter, int(ix), int(ty), int(icon_w), int(icon_w))
        painter.drawStaticText(QPointF(tx, ty), label)

    def paint_thumb(self, painter: QPainter, rect: QRectF, part: Part, pal: QPalette) -> None:
        thumb = self._thumbs.thumb(part.sha256) if self._thumbs is not None else None
        image = None
        if thumb is not None:
            image = thumb.frames[thumb.frame_at(self.clock.elapsed())]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        if image is None or image.isNull():
            painter.setPen(muted_placeholder(pal))
            failed = self._thumbs is not None and self._thumbs.is_failed(part.sha256)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "Image cannot be shown" if failed else "Image…",
            )
            return
        size = image.size()
        dpr = max(1.0, painter.device().devicePixelRatioF())
        w, h = size.width() / dpr, size.height() / dpr
        scale = min(rect.width() / w, rect.height() / h, 1.0 * dpr)
        scale = min(scale, rect.width() / w, rect.height() / h)
        dw, dh = w * scale, h * scale
        target = QRectF(rect.center().x() - dw / 2, rect.center().y() - dh / 2, dw, dh)
        painter.drawImage(target, image)
