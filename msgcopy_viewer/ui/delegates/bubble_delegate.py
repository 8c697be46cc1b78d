"""Chat bubbles: sent (mo) right, received (mt) left, date separators, times, MMS content.

The delegate joins three pieces that each do one job — ``bubble_layout`` (where things go,
with an LRU of laid-out bubbles), ``bubble_painter`` (drawing them) and
``bubble_animation`` (the timer of animated GIF thumbnails) — and handles what a delegate
is asked for: sizes, painting, the tooltip and clicks on thumbnails and chips. It talks to
the model only through roles — ``BUBBLE_ROLE`` (the ``Message`` and whether it starts a
day, in one call; or ``ROW_ROLE`` and ``SEPARATOR_ROLE``), ``HIGHLIGHT_ROLE``, the tooltip
role — and reads nothing else: every message carries its parts and envelope from the page
that loaded it. Sizes are kept per (message, separator, width) for the zone and font they
were made for, since the view asks for every row's size after each page load.

An MMS bubble shows its subject, thumbnails of its images (fixed boxes, decoded off the
GUI thread by :class:`~msgcopy_viewer.ui.thumbnails.ThumbnailCache`), chips for audio,
video, contacts (with the contact's name) and other files, then its text. The tooltip of
an MMS bubble names the sender, To/Cc/Bcc and the subject (escaped). A click on a thumbnail
or chip emits ``mediaClicked`` (when something listens to it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QMetaMethod,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QHelpEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.messages import Message, Part
from msgcopy_viewer.ui.delegates.bubble_animation import ThumbnailAnimator, plain_index
from msgcopy_viewer.ui.delegates.bubble_layout import CACHE_ITEMS, BubbleLayout, BubbleLayouts
from msgcopy_viewer.ui.delegates.bubble_painter import BubblePainter
from msgcopy_viewer.ui.delegates.paint_util import highlight_formats, match_spans
from msgcopy_viewer.ui.models.roles import (
    BUBBLE_ROLE,
    HIGHLIGHT_ROLE,
    MARKS_ROLE,
    ROW_ROLE,
    SENDER_LABEL_ROLE,
    SEPARATOR_ROLE,
    item_data,
    tooltip_html,
)

Index = QModelIndex | QPersistentModelIndex


def _bubble(index: Index) -> tuple[Message, bool] | None:
    """(message, starts a day) of a row: ``BUBBLE_ROLE`` in one call, or ``ROW_ROLE`` and
    ``SEPARATOR_ROLE`` from a model that does not offer it."""
    got: tuple[Message, bool] | None = item_data(index, BUBBLE_ROLE)
    if got is not None:
        return got
    m: Message | None = item_data(index, ROW_ROLE)
    return None if m is None else (m, bool(item_data(index, SEPARATOR_ROLE)))


class BubbleDelegate(QStyledItemDelegate):
    mediaClicked = Signal(QModelIndex)  # a thumbnail or chip was clicked: open the MMS

    def __init__(self, tz, thumbnails=None, parent=None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.group = False  # set by the thread view: sender names are shown in groups
        # set by the thread view's find bar: what to highlight in every bubble's text
        self.find_pattern = None
        self._cache = BubbleLayouts()
        self._painter = BubblePainter(thumbnails)
        view = parent if isinstance(parent, QAbstractItemView) else None
        self._view = view
        # sizes by (the model's bubble_key(row), or (rowid, separator); width) for the zone
        # generation and font in ``_sizes_for`` and the model in ``_sizes_model``
        self._sizes: dict[tuple[object, int], QSize] = {}
        self._sizes_for: tuple[int, QFont | None] = (-1, None)
        self._sizes_model: object = None
        self._key_of: Callable[[int], object] | None = None
        self._viewport = view.viewport() if view is not None else None
        self._animator = ThumbnailAnimator(view, thumbnails, self._painter.clock)
        self._press: QPersistentModelIndex | None = None
        tz.changed.connect(self.clear_cache)

    def clear_cache(self, *_a: object) -> None:
        self._cache.clear()
        self._sizes.clear()

    # -- text the bubble shows (also used by tests and accessibility) ------------------------
    def time_text(self, index: Index) -> str:
        m: Message | None = item_data(index, ROW_ROLE)
        return "" if m is None else self._time_text(m)

    def _time_text(self, m: Message) -> str:
        text = self._tz.time_text(m.start_ms, m.start_raw)
        if m.warnings and not m.is_report:
            n = len(m.warnings)
            text += f"  ·  {n} warning{'s' if n != 1 else ''}"
        return text

    def tooltip_text(self, index: Index) -> str:
        """What hovering the bubble shows, as plain text (MMS: who, to whom, subject)."""
        m: Message | None = item_data(index, ROW_ROLE)
        if m is None:
            return ""
        # the time as the model's tooltip says it, in plain text (the role's is escaped)
        when = self._tz.tooltip(m.start_ms, m.start_raw)
        if not m.is_mms:
            return when
        env = m.envelope
        if m.is_report:
            kind = env.message_kind if env is not None else None
            return "\n".join([m.report_summary(), f"MM7 {kind}", "", when])
        lines = [f"From: {(env.sender if env else None) or m.sender or m.other_party}"]
        if env is not None:
            for label, values in (("To", env.to), ("Cc", env.cc), ("Bcc", env.bcc)):
                if values:
                    lines.append(f"{label}: {', '.join(values)}")
        if m.subject:
            lines.append(f"Subject: {m.subject}")
        if m.parts:
            lines.append(
                f"{counted(len(m.images), 'image')}, {counted(len(m.attachments), 'attachment')}"
            )
        if when:
            lines += ["", when]
        return "\n".join(lines)

    # -- layout ----------------------------------------------------------------------------
    def _width(self, option: QStyleOptionViewItem | None) -> int:
        if self._viewport is not None:
            return max(200, self._viewport.width())
        return max(200, option.rect.width() if option is not None else 200)

    def _layout(self, option: QStyleOptionViewItem, index: Index) -> BubbleLayout | None:
        got = _bubble(index)
        if got is None:
            return None
        m, separator = got
        return self._cache.get(
            m,
            self._width(option),
            option.font,
            generation=self._tz.generation,
            separator=separator,
            show_name=self.group and not m.outgoing,
        )

    def prepare(self, font: QFont, messages: list[tuple[Message, bool]]) -> int:
        """Lay out bubbles that are not in the view yet (``(message, separator)`` pairs), so
        that adding them later finds them in the cache; returns how many were new."""
        width = self._width(None)
        made = 0
        for m, sep in messages:
            made += self._cache.prepare(
                m,
                width,
                font,
                generation=self._tz.generation,
                separator=sep,
                show_name=self.group and not m.outgoing,
            )
        return made

    def is_prepared(self, bubble: tuple[Message, bool]) -> bool:
        """Whether ``(message, separator)`` is laid out at the view's width already."""
        m, sep = bubble
        view = self._view
        return self._cache.has(
            m,
            self._width(None),
            view.font() if view is not None else QFont(),
            generation=self._tz.generation,
            separator=sep,
            show_name=self.group and not m.outgoing,
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # Asked for every row of the window after each page load and for every row painted:
        # answered from a plain dict before any other work when the model offers
        # ``bubble_key(row)`` (what a row's size depends on besides the width, zone and font).
        generation, font = self._sizes_for
        if generation != self._tz.generation or font != option.font:
            self._sizes.clear()
            self._sizes_for = (self._tz.generation, QFont(option.font))
        model = index.model()
        if model is not self._sizes_model:
            self._sizes.clear()
            self._sizes_model = model
            self._key_of = getattr(model, "bubble_key", None)
        width = self._width(option)
        key_of = self._key_of
        fast = key_of(index.row()) if key_of is not None else None
        if fast is not None:
            size = self._sizes.get((fast, width))
            if size is not None:
                return size
        got = _bubble(index)
        if got is None:
            return QSize(0, 0)
        m, separator = got
        key = (fast if fast is not None else (m.rowid, separator), width)
        size = self._sizes.get(key)
        if size is None:
            lay = self._cache.get(
                m,
                width,
                option.font,
                generation=self._tz.generation,
                separator=separator,
                show_name=self.group and not m.outgoing,
            )
            size = self._sizes[key] = QSize(lay.width, int(lay.height + 0.999))
            if len(self._sizes) > 4 * CACHE_ITEMS:
                self._sizes.clear()
        return size

    # -- painting --------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        got = _bubble(index)
        if got is None:
            return
        m, separator = got
        lay = self._cache.get(
            m,
            self._width(option),
            option.font,
            generation=self._tz.generation,
            separator=separator,
            show_name=self.group and not m.outgoing,
        )
        if lay.time_text is None:
            lay.time_text = self._time_text(m)
            lay.separator_text = (
                self._tz.date_separator(m.start_ms, m.start_raw) if lay.sep_h else ""
            )

        def thumb_drawn(rect: QRectF, part: Part) -> None:
            self._animator.note(index, m.rowid, rect, part)

        found: tuple[list, list] = ([], [])
        if self.find_pattern is not None:
            pal = option.palette
            found = (
                highlight_formats(match_spans(m.subject or "", self.find_pattern), pal),
                highlight_formats(match_spans(m.text, self.find_pattern), pal),
            )
        self._painter.paint(
            painter,
            option,
            m,
            lay,
            found=found,
            separator_text=lay.separator_text,
            time_text=lay.time_text,
            highlighted=bool(item_data(index, HIGHLIGHT_ROLE)),
            thumb_drawn=thumb_drawn,
            marks=item_data(index, MARKS_ROLE),
            sender_label=item_data(index, SENDER_LABEL_ROLE) if lay.name_h else None,
        )

    # -- animated thumbnails ---------------------------------------------------------------
    def animations(self) -> dict[tuple[int, int], tuple[QRectF, int]]:
        return self._animator.animations()

    def is_animating(self) -> bool:
        return self._animator.is_animating()

    # -- tooltip ---------------------------------------------------------------------------
    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip:
            m: Message | None = item_data(index, ROW_ROLE)
            if m is not None and m.is_mms:
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
        return [r.translated(origin) for r in lay.media()]

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
                    self.mediaClicked.emit(plain_index(index))
                    return True
            elif on_media:
                self._press = None
                return True  # the click before it opened the MMS already
        return super().editorEvent(event, model, option, index)
