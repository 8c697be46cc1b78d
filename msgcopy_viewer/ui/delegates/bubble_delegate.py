"""Chat bubbles: sent (mo) right, received (mt) left, date separators, times, MMS content.

Message text is laid out with QTextLayout (plain text, never rich text). Laid-out sizes
and layouts are cached per (message rowid, width, time-zone generation, separator,
group), so scrolling re-uses them; a zone change or resize invalidates by key.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msgcopy_viewer.store.browse import PartInfo, ThreadItem
from msgcopy_viewer.ui.delegates.paint_util import blend, make_layout, received_tint, sent_tint
from msgcopy_viewer.ui.models.roles import HIGHLIGHT_ROLE, ROW_ROLE, item_data

Index = QModelIndex | QPersistentModelIndex
H_MARGIN = 12
V_GAP = 4
PAD = 8
RADIUS = 12
THUMB = 120
THUMB_GAP = 4
MAX_THUMBS = 3
CHIP_GAP = 4
MAX_BUBBLE = 560
CACHE_ITEMS = 600

CHIP_LABELS = {"audio": "Audio", "video": "Video", "contact": "Contact", "file": "File"}


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def chip_text(p: PartInfo) -> str:
    label = CHIP_LABELS.get(p.kind, "File")
    return f"{label}: {p.name or p.effective_type or 'attachment'} · {human_size(p.size)}"


@dataclass
class _Layout:
    height: float
    sep_h: float = 0.0
    name_h: float = 0.0
    bubble: QRectF = field(default_factory=QRectF)  # relative to the item's top-left, x from left
    subject: QTextLayout | None = None
    subject_pos: QPointF = field(default_factory=QPointF)
    thumbs: list[tuple[QRectF, PartInfo]] = field(default_factory=list)
    more_images: int = 0
    chips: list[tuple[QRectF, str]] = field(default_factory=list)
    text: QTextLayout | None = None
    text_pos: QPointF = field(default_factory=QPointF)
    time_y: float = 0.0


class BubbleDelegate(QStyledItemDelegate):
    def __init__(self, tz, thumbnails=None, parent=None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._thumbs = thumbnails
        self.group = False  # set by the thread view: sender names are shown in groups
        self._cache: OrderedDict[tuple, _Layout] = OrderedDict()
        tz.changed.connect(self.clear_cache)

    # -- text the bubble shows (also used by tests and accessibility) ------------------------
    def time_text(self, index: Index) -> str:
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        if item is None:
            return ""
        text = self._tz.time_text(item.start_ms)
        if item.warnings:
            n = len(item.warnings)
            text += f"  ·  {n} warning{'s' if n != 1 else ''}"
        return text

    def separator_text(self, index: Index) -> str | None:
        """The date separator above this message, None when the day did not change."""
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        if item is None or not self._has_separator(index, item):
            return None
        return self._tz.date_separator(item.start_ms)

    def _has_separator(self, index: Index, item: ThreadItem) -> bool:
        if index.row() == 0:
            return True
        prev: ThreadItem | None = item_data(index.sibling(index.row() - 1, 0), ROW_ROLE)
        return prev is None or self._tz.day_key(prev.start_ms) != self._tz.day_key(item.start_ms)

    def clear_cache(self, *_a: object) -> None:
        self._cache.clear()

    # -- fonts -----------------------------------------------------------------------------
    @staticmethod
    def _fonts(option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(6.0, base.pointSizeF() * 0.85)) if base.pointSizeF() > 0 else None
        return base, bold, small

    # -- layout ----------------------------------------------------------------------------
    def _width(self, option: QStyleOptionViewItem) -> int:
        view = self.parent()
        if view is not None and hasattr(view, "viewport"):
            return max(200, view.viewport().width())
        return max(200, option.rect.width())

    def _layout(self, option: QStyleOptionViewItem, index: Index) -> _Layout | None:
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        if item is None:
            return None
        width = self._width(option)
        sep = self._has_separator(index, item)
        show_name = self.group and not item.outgoing
        key = (item.rowid, width, self._tz.generation, sep, show_name, option.font.key())
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        base, bold, small = self._fonts(option)
        fm_small = QFontMetricsF(small)
        max_w = float(min(MAX_BUBBLE, int(width * 0.72)))
        inner = max_w - 2 * PAD
        lay = _Layout(height=0)
        y = float(V_GAP)
        if sep:
            lay.sep_h = fm_small.height() + 16
            y += lay.sep_h
        if show_name:
            lay.name_h = fm_small.height() + 2
            y += lay.name_h
        content_w = 0.0
        cy = float(PAD)
        if item.subject:
            sl, nat, h = make_layout(item.subject, bold, inner)
            lay.subject, lay.subject_pos = sl, QPointF(PAD, cy)
            content_w = max(content_w, nat)
            cy += h + 4
        images = item.images
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
        chips = item.attachments
        if chips:
            ch = fm_small.height() + 8
            for p in chips:
                text = chip_text(p)
                w = min(inner, fm_small.horizontalAdvance(text) + 16)
                lay.chips.append((QRectF(PAD, cy, w, ch), text))
                content_w = max(content_w, w)
                cy += ch + CHIP_GAP
        text = item.text
        if text or not (item.subject or images or chips):
            tl, nat, h = make_layout(
                text or ("(empty MMS)" if item.is_mms else "(empty)"), base, inner
            )
            lay.text, lay.text_pos = tl, QPointF(PAD, cy)
            content_w = max(content_w, nat)
            cy += h
        cy += PAD
        bw = max(content_w + 2 * PAD, 48.0)
        bx = (width - H_MARGIN - bw) if item.outgoing else float(H_MARGIN)
        lay.bubble = QRectF(bx, y, bw, cy)
        y += cy + 2
        lay.time_y = y
        y += fm_small.height() + V_GAP
        lay.height = y
        self._cache[key] = lay
        while len(self._cache) > CACHE_ITEMS:
            self._cache.popitem(last=False)
        return lay

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        lay = self._layout(option, index)
        if lay is None:
            return QSize(0, 0)
        return QSize(self._width(option), int(lay.height + 0.999))

    # -- painting --------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        lay = self._layout(option, index)
        if item is None or lay is None:
            return
        pal: QPalette = option.palette
        _base, bold, small = self._fonts(option)
        fm_small = QFontMetricsF(small)
        r = QRectF(option.rect)
        ox, oy = r.left(), r.top()
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            highlighted = bool(item_data(index, HIGHLIGHT_ROLE))
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            if highlighted or selected:
                band = QColor(pal.color(QPalette.ColorRole.Highlight))
                band.setAlpha(70 if highlighted else 35)
                top = oy + lay.sep_h
                painter.fillRect(QRectF(r.left(), top, r.width(), r.height() - lay.sep_h), band)
            text_color = pal.color(QPalette.ColorRole.Text)
            muted = blend(pal.color(QPalette.ColorRole.Base), text_color, 0.6)
            # date separator
            if lay.sep_h:
                sep_text = self._tz.date_separator(item.start_ms)
                painter.setFont(small)
                tw = fm_small.horizontalAdvance(sep_text) + 20
                pill = QRectF(ox + (r.width() - tw) / 2, oy + 6, tw, fm_small.height() + 6)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(received_tint(pal))
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.setPen(muted)
                painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, sep_text)
            # sender name (group conversations)
            if lay.name_h:
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
                    item.sender or item.other_party,
                )
            # bubble
            bubble = lay.bubble.translated(ox, oy)
            path = QPainterPath()
            path.addRoundedRect(bubble, RADIUS, RADIUS)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.fillPath(path, sent_tint(pal) if item.outgoing else received_tint(pal))
            if highlighted:
                painter.setPen(pal.color(QPalette.ColorRole.Highlight))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
            painter.setPen(text_color)
            origin = bubble.topLeft()
            if lay.subject is not None:
                lay.subject.draw(painter, origin + lay.subject_pos)
            for rect, part in lay.thumbs:
                self._paint_thumb(painter, rect.translated(origin), part, pal)
            if lay.more_images and lay.thumbs:
                last = lay.thumbs[-1][0].translated(origin)
                painter.fillRect(last, QColor(0, 0, 0, 110))
                painter.setPen(QColor(255, 255, 255))
                painter.setFont(bold)
                painter.drawText(last, Qt.AlignmentFlag.AlignCenter, f"+{lay.more_images}")
            if lay.chips:
                painter.setFont(small)
                for rect, text in lay.chips:
                    chip = rect.translated(origin)
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(pal.color(QPalette.ColorRole.Base))
                    painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
                    painter.setPen(text_color)
                    painter.drawText(
                        chip.adjusted(8, 0, -8, 0),
                        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                        fm_small.elidedText(text, Qt.TextElideMode.ElideMiddle, chip.width() - 16),
                    )
            if lay.text is not None:
                painter.setPen(text_color)
                lay.text.draw(painter, origin + lay.text_pos)
            # time (+ warnings) under the bubble
            painter.setFont(small)
            painter.setPen(muted)
            time_text = self.time_text(index)
            tw = fm_small.horizontalAdvance(time_text)
            ty = oy + lay.time_y
            icon_w = fm_small.height() if item.warnings else 0
            if item.outgoing:
                tx = bubble.right() - tw - 4
            else:
                tx = bubble.left() + 4 + (icon_w + 4 if icon_w else 0)
            if item.warnings:
                icon = (
                    option.widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                    if option.widget is not None
                    else None
                )
                ix = tx - icon_w - 4 if item.outgoing else bubble.left() + 4
                if icon is not None:
                    icon.paint(painter, int(ix), int(ty), int(icon_w), int(icon_w))
            painter.drawText(
                QRectF(tx, ty, tw + 2, fm_small.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                time_text,
            )
            if (
                option.state & QStyle.StateFlag.State_HasFocus
                and option.widget is not None
                and option.widget.hasFocus()
            ):
                painter.setPen(pal.color(QPalette.ColorRole.Highlight))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(bubble.adjusted(-2, -2, 2, 2), RADIUS + 2, RADIUS + 2)
        finally:
            painter.restore()

    def _paint_thumb(self, painter: QPainter, rect: QRectF, part: PartInfo, pal: QPalette) -> None:
        image = self._thumbs.get(part.sha256) if self._thumbs is not None else None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        if image is None or image.isNull():
            painter.setPen(
                blend(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text), 0.5)
            )
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
