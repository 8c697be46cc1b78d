"""Chat bubbles: sent (mo) right, received (mt) left, date separators, times, MMS content.

Message text is laid out with QTextLayout (plain text, never rich text). Laid-out sizes
and layouts are cached per (message rowid, width, time-zone generation, separator,
group), so scrolling re-uses them; a zone change or resize invalidates by key.

An MMS bubble shows its subject, thumbnails of its images (fixed boxes, decoded off the
GUI thread by :class:`~msgcopy_viewer.ui.thumbnails.ThumbnailCache`), chips for audio,
video, contacts (with the contact's name) and other files, then its text. Animated GIF
thumbnails animate: paint() records which animated thumbnails it drew, and one shared
timer repaints just those rectangles when their frame changes, while they are visible.
The tooltip of an MMS bubble names the sender, To/Cc/Bcc and the subject (escaped).
A click on a thumbnail or chip emits ``mediaClicked`` (when something listens to it).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QElapsedTimer,
    QEvent,
    QMetaMethod,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from msgcopy_viewer.store.browse import PartInfo, ThreadItem
from msgcopy_viewer.ui.delegates.paint_util import blend, make_layout, received_tint, sent_tint
from msgcopy_viewer.ui.icons import icon as named_icon
from msgcopy_viewer.ui.models.roles import HIGHLIGHT_ROLE, ROW_ROLE, item_data, tooltip_html
from msgcopy_viewer.ui.models.thread_model import ThreadModel
from msgcopy_viewer.ui.thumbnails import Thumb

log = logging.getLogger(__name__)

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
# Laid-out bubbles kept. Must be well above the thread window (ThreadModel.MAX_ROWS = 600,
# plus a page while it is being inserted): a relayout asks for every row in order, and an
# LRU smaller than the window would miss on every one of them.
CACHE_ITEMS = 2000
ENVELOPE_ITEMS = 2000
MIN_TICK_MS = 15  # the animation timer never fires more often than this

CHIP_LABELS = {"audio": "Audio", "video": "Video", "contact": "Contact", "file": "File"}
CHIP_ICONS = {"audio": "audio", "video": "video", "contact": "contact", "file": "attachment"}


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def chip_text(p: PartInfo, contact_names: list[str] | None = None) -> str:
    """``Audio: voice.amr · 12.0 KB``; a contact chip names the contact(s) in the card."""
    label = CHIP_LABELS.get(p.kind, "File")
    what = p.name or p.effective_type or "attachment"
    if p.kind == "contact" and contact_names:
        what = contact_names[0]
        if len(contact_names) > 1:
            what += f" +{len(contact_names) - 1}"
    return f"{label}: {what} · {human_size(p.size)}"


@dataclass(frozen=True)
class Envelope:
    """Who an MMS is from and to, and the names of its contact cards (by part index)."""

    sender: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    contact_names: dict[int, list[str]] = field(default_factory=dict)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if v) if isinstance(value, list) else ()


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def read_envelope(case_path: Path, rowid: int) -> Envelope:
    """The envelope of message ``rowid`` from the stored ``mms`` JSON (read-only)."""
    conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT json_extract(mms, '$.sender'), json_extract(mms, '$.recipients'), "
            "json_extract(mms, '$.contacts') FROM messages WHERE rowid = ? AND json_valid(mms)",
            (rowid,),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        return Envelope()
    recipients = _json(row[1])
    recipients = recipients if isinstance(recipients, dict) else {}
    names: dict[int, list[str]] = {}
    contacts = _json(row[2])
    for c in contacts if isinstance(contacts, list) else []:
        if isinstance(c, dict) and isinstance(c.get("part"), int) and c.get("name"):
            names.setdefault(c["part"], []).append(str(c["name"]))
    return Envelope(
        sender=str(row[0]) if row[0] else None,
        to=_strings(recipients.get("to")),
        cc=_strings(recipients.get("cc")),
        bcc=_strings(recipients.get("bcc")),
        contact_names=names,
    )


def _plain(index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
    """A QModelIndex for a (persistent) index."""
    model = index.model()
    if model is None or not index.isValid():
        return QModelIndex()
    return model.index(index.row(), index.column())


@dataclass
class _Layout:
    height: float
    width: int = 0  # the view's width it was made for
    sep_h: float = 0.0
    name_h: float = 0.0
    bubble: QRectF = field(default_factory=QRectF)  # relative to the item's top-left, x from left
    subject: QTextLayout | None = None
    subject_pos: QPointF = field(default_factory=QPointF)
    thumbs: list[tuple[QRectF, PartInfo]] = field(default_factory=list)
    more_images: int = 0
    chips: list[tuple[QRectF, str, PartInfo]] = field(default_factory=list)
    text: QTextLayout | None = None
    text_pos: QPointF = field(default_factory=QPointF)
    time_y: float = 0.0


@dataclass
class _Anim:
    """An animated thumbnail drawn by the last paint: where, and which frame."""

    index: QPersistentModelIndex
    rowid: int
    rect: QRectF  # relative to the item's top-left
    sha256: str
    frame: int


class BubbleDelegate(QStyledItemDelegate):
    mediaClicked = Signal(QModelIndex)  # a thumbnail or chip was clicked: open the MMS

    def __init__(self, tz, thumbnails=None, parent=None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._thumbs = thumbnails
        self.group = False  # set by the thread view: sender names are shown in groups
        self._cache: OrderedDict[tuple, _Layout] = OrderedDict()
        self._day_keys: dict[int, int] = {}  # start_ms -> calendar day in the zone shown
        self._last_font: QFont | None = None
        self._last_font_key = ""
        self._envelopes: OrderedDict[tuple[Path, int], Envelope] = OrderedDict()
        self._anims: dict[tuple[int, int], _Anim] = {}
        self._clock = QElapsedTimer()
        self._clock.start()
        self._anim_timer = QTimer(self)
        self._anim_timer.setSingleShot(True)
        self._anim_timer.timeout.connect(self._tick)
        self._press: QPersistentModelIndex | None = None
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
        row = index.row()
        if row == 0:
            return True
        prev: ThreadItem | None
        model = index.model()
        if isinstance(model, ThreadModel):
            prev = model.item(row - 1)
        else:
            prev = item_data(index.sibling(row - 1, 0), ROW_ROLE)
        return prev is None or self._day_key(prev.start_ms) != self._day_key(item.start_ms)

    def _day_key(self, ms: int) -> int:
        """``tz.day_key`` remembered: the view asks for every row's size after each page
        load, and converting an instant to a zoned date is most of that question's cost."""
        key = self._day_keys.get(ms)
        if key is None:
            if len(self._day_keys) >= 4 * CACHE_ITEMS:
                self._day_keys.clear()
            key = self._day_keys[ms] = self._tz.day_key(ms)
        return key

    @staticmethod
    def _item(index: Index) -> ThreadItem | None:
        model = index.model()
        if isinstance(model, ThreadModel):  # straight from the rows, not through data()
            return model.item(index.row()) if index.isValid() else None
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        return item

    def clear_cache(self, *_a: object) -> None:
        self._cache.clear()
        self._day_keys.clear()

    def envelope(self, item: ThreadItem) -> Envelope:
        """Sender, recipients and contact names of an MMS (read once, then cached)."""
        path = self._thumbs.case_path if self._thumbs is not None else None
        if path is None or not item.is_mms:
            return Envelope()
        key = (path, item.rowid)
        env = self._envelopes.get(key)
        if env is not None:
            self._envelopes.move_to_end(key)
            return env
        try:
            env = read_envelope(path, item.rowid)
        except sqlite3.Error as exc:
            log.warning("envelope of message %s: %s", item.rowid, exc)
            env = Envelope()
        self._envelopes[key] = env
        while len(self._envelopes) > ENVELOPE_ITEMS:
            self._envelopes.popitem(last=False)
        return env

    def tooltip_text(self, index: Index) -> str:
        """What hovering the bubble shows, as plain text (MMS: who, to whom, subject)."""
        item: ThreadItem | None = item_data(index, ROW_ROLE)
        if item is None:
            return ""
        base = item_data(index, Qt.ItemDataRole.ToolTipRole)
        when = str(base) if base else ""
        if not item.is_mms:
            return when
        env = self.envelope(item)
        lines = [f"From: {env.sender or item.sender or item.other_party}"]
        for label, values in (("To", env.to), ("Cc", env.cc), ("Bcc", env.bcc)):
            if values:
                lines.append(f"{label}: {', '.join(values)}")
        if item.subject:
            lines.append(f"Subject: {item.subject}")
        if item.parts:
            lines.append(f"{len(item.images)} images, {len(item.attachments)} attachments")
        if when:
            lines += ["", when]
        return "\n".join(lines)

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

    def _font_key(self, option: QStyleOptionViewItem) -> str:
        """``QFont.key()`` is slow (tens of µs) and asked for every row; fonts rarely change."""
        font = option.font
        if self._last_font is None or font != self._last_font:
            self._last_font = QFont(font)
            self._last_font_key = font.key()
        return self._last_font_key

    def _layout(self, option: QStyleOptionViewItem, index: Index) -> _Layout | None:
        item = self._item(index)
        if item is None:
            return None
        width = self._width(option)
        sep = self._has_separator(index, item)
        show_name = self.group and not item.outgoing
        key = (item.rowid, width, self._tz.generation, sep, show_name, self._font_key(option))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        base, bold, small = self._fonts(option)
        fm_small = QFontMetricsF(small)
        max_w = float(min(MAX_BUBBLE, int(width * 0.72)))
        inner = max_w - 2 * PAD
        lay = _Layout(height=0, width=width)
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
            names = (
                self.envelope(item).contact_names if any(p.kind == "contact" for p in chips) else {}
            )
            for p in chips:
                text = chip_text(p, names.get(p.index))
                w = min(inner, fm_small.horizontalAdvance(text) + 16 + ch)
                lay.chips.append((QRectF(PAD, cy, w, ch), text, p))
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
        return QSize(lay.width, int(lay.height + 0.999))

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
                self._note_animation(index, item, rect.translated(lay.bubble.topLeft()), part)
            if lay.more_images and lay.thumbs:
                last = lay.thumbs[-1][0].translated(origin)
                painter.fillRect(last, QColor(0, 0, 0, 110))
                painter.setPen(QColor(255, 255, 255))
                painter.setFont(bold)
                painter.drawText(last, Qt.AlignmentFlag.AlignCenter, f"+{lay.more_images}")
            if lay.chips:
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
        thumb = self._thumbs.thumb(part.sha256) if self._thumbs is not None else None
        image = None
        if thumb is not None:
            image = thumb.frames[thumb.frame_at(self._clock.elapsed())]
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

    # -- animated thumbnails ---------------------------------------------------------------
    def _view(self) -> QAbstractItemView | None:
        view = self.parent()
        return view if isinstance(view, QAbstractItemView) else None

    def _note_animation(self, index: Index, item: ThreadItem, rect: QRectF, part: PartInfo) -> None:
        """Called by paint() for each thumbnail drawn: animated ones join the timer's list."""
        thumb = self._thumbs.peek(part.sha256) if self._thumbs is not None else None
        key = (item.rowid, part.index)
        if thumb is None or not thumb.animated or self._view() is None:
            self._anims.pop(key, None)
            return
        now = self._clock.elapsed()
        self._anims[key] = _Anim(
            QPersistentModelIndex(index), item.rowid, QRectF(rect), part.sha256, thumb.frame_at(now)
        )
        self._schedule(thumb.ms_to_next_frame(now))

    def _schedule(self, ms: int) -> None:
        ms = max(MIN_TICK_MS, ms)
        if not self._anim_timer.isActive() or self._anim_timer.remainingTime() > ms:
            self._anim_timer.start(ms)

    def animations(self) -> dict[tuple[int, int], tuple[QRectF, int]]:
        """Animated thumbnails on screen: (message rowid, part index) → (rect in the
        viewport, frame shown)."""
        view = self._view()
        out: dict[tuple[int, int], tuple[QRectF, int]] = {}
        if view is None:
            return out
        for key, a in self._anims.items():
            if a.index.isValid():
                top = view.visualRect(_plain(a.index)).topLeft()
                out[key] = (a.rect.translated(QPointF(top)), a.frame)
        return out

    def is_animating(self) -> bool:
        return self._anim_timer.isActive()

    def _tick(self) -> None:
        """Repaint the visible animated thumbnails whose frame changed; stop when none are."""
        view = self._view()
        if (
            view is None
            or self._thumbs is None
            or not view.isVisible()
            or view.window().isMinimized()
        ):
            self._anims.clear()
            return
        viewport = view.viewport()
        area = viewport.rect()
        now = self._clock.elapsed()
        due: int | None = None
        for key, a in list(self._anims.items()):
            thumb: Thumb | None = self._thumbs.peek(a.sha256)
            item: ThreadItem | None = item_data(a.index, ROW_ROLE) if a.index.isValid() else None
            if thumb is None or not thumb.animated or item is None or item.rowid != a.rowid:
                del self._anims[key]
                continue
            top = view.visualRect(_plain(a.index)).topLeft()
            target = a.rect.translated(QPointF(top)).toAlignedRect()
            if not target.intersects(area):
                del self._anims[key]  # scrolled away: paint() adds it back when it returns
                continue
            frame = thumb.frame_at(now)
            if frame != a.frame:
                a.frame = frame  # paint() draws the frame of its own time
                viewport.update(target)
            wait = thumb.ms_to_next_frame(now)
            due = wait if due is None else min(due, wait)
        if due is not None:
            self._schedule(due)

    # -- tooltip ---------------------------------------------------------------------------
    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip:
            item: ThreadItem | None = item_data(index, ROW_ROLE)
            if item is not None and item.is_mms:
                text = self.tooltip_text(index)
                QToolTip.showText(event.globalPos(), tooltip_html(text), view, option.rect)
                return True
        return super().helpEvent(event, view, option, index)

    # -- clicks on thumbnails and chips ------------------------------------------------------
    def media_rects(self, option: QStyleOptionViewItem, index: Index) -> list[QRectF]:
        """The thumbnail and chip rectangles of the bubble, in the coordinates of
        ``option.rect``."""
        lay = self._layout(option, index)
        if lay is None:
            return []
        origin = QPointF(option.rect.topLeft()) + lay.bubble.topLeft()
        rects = [r for r, _p in lay.thumbs] + [r for r, _t, _p in lay.chips]
        return [r.translated(origin) for r in rects]

    def _listening(self) -> bool:
        return self.isSignalConnected(QMetaMethod.fromSignal(self.mediaClicked))

    def editorEvent(self, event, model, option: QStyleOptionViewItem, index: Index) -> bool:
        kind = event.type() if event is not None else None
        if (
            kind
            in (
                QEvent.Type.MouseButtonPress,
                QEvent.Type.MouseButtonRelease,
                QEvent.Type.MouseButtonDblClick,
            )
            and isinstance(event, QMouseEvent)
            and self._listening()
        ):
            pos = event.position()
            on_media = event.button() == Qt.MouseButton.LeftButton and any(
                r.contains(pos) for r in self.media_rects(option, index)
            )
            if kind == QEvent.Type.MouseButtonPress:
                # the press still selects the message; the release opens it
                self._press = QPersistentModelIndex(index) if on_media else None
            elif kind == QEvent.Type.MouseButtonRelease:
                pressed, self._press = self._press, None
                if on_media and pressed is not None and pressed == QPersistentModelIndex(index):
                    self.mediaClicked.emit(_plain(index))
                    return True
            elif on_media:
                self._press = None
                return True  # the click before it opened the MMS already
        return super().editorEvent(event, model, option, index)
