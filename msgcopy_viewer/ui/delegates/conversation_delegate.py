"""Conversation list rows: participants, time, last snippet, count, MMS/group badges.

Every row has the same height (two text lines), so the view can use uniform item sizes.
Search results use ``SearchResultDelegate``: same shape, the snippet with highlighted hits.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.store.browse import ConversationInfo
from msgcopy_viewer.store.search import SearchHit, split_marked
from msgcopy_viewer.ui.delegates.paint_util import (
    badge_background,
    highlight_formats,
    make_layout,
    marked_text,
    row_colors,
)
from msgcopy_viewer.ui.models.roles import ROW_ROLE, SNIPPET_ROLE, TIME_TEXT_ROLE, item_data

PAD = 8


def subscriber_label(mobile: str) -> str:
    """Which subscriber (Extend SIM) a row belongs to, as shown in the lists."""
    return f"Sub {mobile}"


Index = QModelIndex | QPersistentModelIndex


class _TwoLineDelegate(QStyledItemDelegate):
    # Say whose conversation a row is (the list shows several subscribers' at once).
    show_subscriber = True

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        if base.pointSizeF() > 0:
            small.setPointSizeF(max(6.0, base.pointSizeF() * 0.85))
        return base, bold, small

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base, bold, _small = self._fonts(option)
        h = QFontMetricsF(bold).height() + QFontMetricsF(base).height() + 3 * PAD
        return QSize(200, int(h + 0.999))

    def _background(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            opt.text = ""
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, option.widget
            )

    def _colors(self, option: QStyleOptionViewItem):
        pal: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        fg, _bg, secondary = row_colors(pal, selected)
        return pal, fg, secondary, selected

    def _badge(
        self, painter: QPainter, right: float, y: float, text: str, font: QFont, fg, bg
    ) -> float:
        fm = QFontMetricsF(font)
        w = fm.horizontalAdvance(text) + 10
        rect = QRectF(right - w, y, w, fm.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(fg)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        return rect.left() - 4

    @staticmethod
    def _header(
        painter: QPainter,
        r: QRectF,
        time_text: str,
        title: str,
        bold: QFont,
        small: QFont,
        fg: QColor,
        muted: QColor,
    ) -> None:
        """First line: the time on the right, the title elided to the room left of it."""
        height = QFontMetricsF(bold).height()
        tw = QFontMetricsF(small).horizontalAdvance(time_text)
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(
            QRectF(r.right() - tw, r.top(), tw + 1, height),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            time_text,
        )
        room = r.width() - tw - 8
        painter.setFont(bold)
        painter.setPen(fg)
        painter.drawText(
            QRectF(r.left(), r.top(), room, height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetricsF(bold).elidedText(
                show_invisible(title, keep_breaks=False), Qt.TextElideMode.ElideRight, room
            ),
        )


class ConversationDelegate(_TwoLineDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        conv: ConversationInfo | None = item_data(index, ROW_ROLE)
        if conv is None:
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._background(painter, option)
            base, bold, small = self._fonts(option)
            pal, fg, muted, _selected = self._colors(option)
            r = QRectF(option.rect).adjusted(PAD, PAD, -PAD, -PAD)
            fm_b, fm = QFontMetricsF(bold), QFontMetricsF(base)
            self._header(
                painter,
                r,
                item_data(index, TIME_TEXT_ROLE) or "",
                item_data(index, Qt.ItemDataRole.DisplayRole) or conv.title,
                bold,
                small,
                fg,
                muted,
            )
            y2 = r.top() + fm_b.height() + PAD / 2
            badge_bg = badge_background(pal)
            badge_fg = pal.color(QPalette.ColorRole.Text)
            right = r.right()
            right = self._badge(
                painter, right, y2, str(conv.message_count), small, badge_fg, badge_bg
            )
            if conv.mms_count:
                right = self._badge(painter, right, y2, "MMS", small, badge_fg, badge_bg)
            if conv.is_group:
                right = self._badge(painter, right, y2, "Group", small, badge_fg, badge_bg)
            if self.show_subscriber:
                right = self._badge(
                    painter,
                    right,
                    y2,
                    subscriber_label(conv.subscriber_mobile),
                    small,
                    badge_fg,
                    badge_bg,
                )
            painter.setFont(base)
            painter.setPen(muted)
            snippet = show_invisible(" ".join((conv.last_snippet or "").split()), keep_breaks=False)
            snippet = fm.elidedText(snippet, Qt.TextElideMode.ElideRight, right - r.left() - 4)
            painter.drawText(
                QRectF(r.left(), y2, right - r.left(), fm.height()),
                Qt.AlignmentFlag.AlignLeft
                | Qt.AlignmentFlag.AlignVCenter
                | Qt.TextFlag.TextSingleLine,
                snippet,
            )
        finally:
            painter.restore()


class SearchResultDelegate(_TwoLineDelegate):
    names: Any = None  # NameLabels: the participants are shown with their names

    @staticmethod
    def snippet_layout(snippet: str, font: QFont, palette: QPalette):
        """The snippet laid out on one line, its hits highlighted where they are."""
        text, spans = marked_text(split_marked(snippet))
        layout, _nat, _h = make_layout(text, font, 100000.0, highlight_formats(spans, palette), 1)
        return layout

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        hit: SearchHit | None = item_data(index, ROW_ROLE)
        if hit is None:
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._background(painter, option)
            base, bold, small = self._fonts(option)
            pal, fg, muted, selected = self._colors(option)
            r = QRectF(option.rect).adjusted(PAD, PAD, -PAD, -PAD)
            fm_b = QFontMetricsF(bold)
            m = hit.message
            arrow = "→ " if m.direction == "mo" else "← "
            names = self.names
            if names is not None:
                head = arrow + names.title(m.participants or [m.other_party], m.subscriber_key)
            else:
                head = arrow + (", ".join(m.participants) or m.other_party)
            if m.is_mms:
                head += "  (MMS)"
            if m.warnings:
                head += "  ⚠"
            self._header(
                painter, r, item_data(index, TIME_TEXT_ROLE) or "", head, bold, small, fg, muted
            )
            room = r.right()  # the snippet's right edge: left of the subscriber badge
            if self.show_subscriber:
                room = self._badge(
                    painter,
                    r.right(),
                    r.top() + fm_b.height() + PAD / 2,
                    subscriber_label(m.subscriber_mobile),
                    small,
                    pal.color(QPalette.ColorRole.Text),
                    badge_background(pal),
                )
            # snippet: plain text; hits marked by formats, never by markup
            layout = self.snippet_layout(item_data(index, SNIPPET_ROLE) or "", base, pal)
            painter.setPen(fg if selected else muted)
            painter.setClipRect(QRectF(r.left(), r.top(), room - r.left(), r.height() + 2))
            layout.draw(painter, QPointF(r.left(), r.top() + fm_b.height() + PAD / 2))
        finally:
            painter.restore()
