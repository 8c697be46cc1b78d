"""Animated GIF thumbnails in the thread: the timer half of the bubble delegate.

The painter reports each thumbnail it draws (``note``); animated ones join a list, and one
shared single-shot timer repaints just those rectangles when their frame changes, while
they are visible. A thumbnail scrolled out of view leaves the list until it is painted
again, and the timer stops when the list is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QElapsedTimer,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QTimer,
)
from PySide6.QtWidgets import QAbstractItemView

from msgcopy_viewer.store.messages import Part
from msgcopy_viewer.ui.models.roles import ID_ROLE, item_data

MIN_TICK_MS = 15  # the timer never fires more often than this
Index = QModelIndex | QPersistentModelIndex


def plain_index(index: Index) -> QModelIndex:
    """A QModelIndex for a (persistent) index."""
    model = index.model()
    if model is None or not index.isValid():
        return QModelIndex()
    return model.index(index.row(), index.column())


@dataclass
class _Anim:
    """An animated thumbnail drawn by the last paint: where, and which frame."""

    index: QPersistentModelIndex
    rowid: int
    rect: QRectF  # relative to the item's top-left
    sha256: str
    frame: int


class ThumbnailAnimator(QObject):
    def __init__(self, view: QAbstractItemView | None, thumbnails, clock: QElapsedTimer) -> None:
        super().__init__(view)
        self._view = view
        self._thumbs = thumbnails
        self._clock = clock
        self._anims: dict[tuple[int, int], _Anim] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    def note(self, index: Index, rowid: int, rect: QRectF, part: Part) -> None:
        """A thumbnail was painted at ``rect`` (relative to the item's top-left)."""
        thumb = self._thumbs.peek(part.sha256) if self._thumbs is not None else None
        key = (rowid, part.index)
        if thumb is None or not thumb.animated or self._view is None:
            self._anims.pop(key, None)
            return
        now = self._clock.elapsed()
        self._anims[key] = _Anim(
            QPersistentModelIndex(index), rowid, QRectF(rect), part.sha256, thumb.frame_at(now)
        )
        self._schedule(thumb.ms_to_next_frame(now))

    def _schedule(self, ms: int) -> None:
        ms = max(MIN_TICK_MS, ms)
        if not self._timer.isActive() or self._timer.remainingTime() > ms:
            self._timer.start(ms)

    def animations(self) -> dict[tuple[int, int], tuple[QRectF, int]]:
        """Animated thumbnails on screen: (message rowid, part index) → (rect in the
        viewport, frame shown)."""
        view = self._view
        out: dict[tuple[int, int], tuple[QRectF, int]] = {}
        if view is None:
            return out
        for key, a in self._anims.items():
            if a.index.isValid():
                top = view.visualRect(plain_index(a.index)).topLeft()
                out[key] = (a.rect.translated(QPointF(top)), a.frame)
        return out

    def is_animating(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        """Repaint the visible animated thumbnails whose frame changed; stop when none are."""
        view = self._view
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
            thumb = self._thumbs.peek(a.sha256)
            rowid = item_data(a.index, ID_ROLE) if a.index.isValid() else None
            if thumb is None or not thumb.animated or rowid != a.rowid:
                del self._anims[key]
                continue
            top = view.visualRect(plain_index(a.index)).topLeft()
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
