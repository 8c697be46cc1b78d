"""The SMIL presentation: one slide at a time, regions placed as the layout says.

:class:`SlideView` places each item's widget in its region (root-layout proportions
kept, letterboxed into the available space); when the slide's items cannot all be
placed by the layout — no layout, unknown regions, fallback slides — they are
stacked top to bottom instead. Audio without a region goes in a bar under the slide.
:class:`Slideshow` adds previous/next, a slide counter and Play, which advances by
each slide's duration (5 s when the message gives none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.ui.mms.image_view import plain_label
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.mms.part_view import PartFrame, RenderContext, make_part_widget

DEFAULT_SLIDE_MS = 5000
DEFAULT_ROOT = (320, 480)
_LENGTH = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(%|px)?\s*$")


def _length(value: Any, total: float) -> float | None:
    """A SMIL region length (``"10"``, ``"10px"``, ``"67%"``) in root pixels."""
    if value is None:
        return None
    match = _LENGTH.match(str(value))
    if not match:
        return None
    number = float(match.group(1))
    return number * total / 100.0 if match.group(2) == "%" else number


@dataclass(slots=True)
class Region:
    rect: QRectF  # in root-layout pixels
    fit: str | None


def root_size(layout: Mapping[str, Any] | None) -> tuple[float, float]:
    if not layout:
        return DEFAULT_ROOT
    width = layout.get("root_width") or 0
    height = layout.get("root_height") or 0
    try:
        w, h = float(width), float(height)
    except (TypeError, ValueError):
        w = h = 0.0
    if w <= 0 or h <= 0 or w > 10000 or h > 10000:
        return DEFAULT_ROOT
    return w, h


def regions_of(layout: Mapping[str, Any] | None) -> dict[str, Region]:
    """The layout's regions in root pixels, clipped to the root (bad ones dropped)."""
    if not layout:
        return {}
    rw, rh = root_size(layout)
    root = QRectF(0, 0, rw, rh)
    out: dict[str, Region] = {}
    for rid, reg in (layout.get("regions") or {}).items():
        if not isinstance(reg, dict):
            continue
        left = _length(reg.get("left"), rw) or 0.0
        top = _length(reg.get("top"), rh) or 0.0
        width = _length(reg.get("width"), rw)
        height = _length(reg.get("height"), rh)
        if width is None:
            width = rw - left
        if height is None:
            height = rh - top
        rect = QRectF(left, top, width, height).intersected(root)
        if rect.width() >= 1 and rect.height() >= 1:
            out[str(rid)] = Region(rect, reg.get("fit"))
    return out


def slide_duration_ms(slide: dict[str, Any]) -> int:
    duration = slide.get("duration_ms")
    if isinstance(duration, int) and duration > 0:
        return duration
    ends = [i.get("end_ms") for i in slide.get("items") or [] if isinstance(i.get("end_ms"), int)]
    if ends and max(ends) > 0:
        return int(max(ends))
    return DEFAULT_SLIDE_MS


def _match_region(
    item: dict[str, Any], regions: dict[str, Region], kind: str
) -> tuple[str, Region] | None:
    name = item.get("region")
    if name is not None:
        if name in regions:
            return name, regions[name]
        lowered = {k.lower(): k for k in regions}
        if str(name).lower() in lowered:
            key = lowered[str(name).lower()]
            return key, regions[key]
    return None


class RegionCanvas(QWidget):
    """Places widgets at region rectangles, scaled from root-layout pixels."""

    def __init__(self, root: tuple[float, float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mmsRegionCanvas")
        self.root = root
        self._placed: list[tuple[QWidget, QRectF]] = []
        self.setMinimumSize(160, 160)

    def place(self, widget: QWidget, rect: QRectF) -> None:
        widget.setParent(self)
        self._placed.append((widget, rect))
        self._relayout()

    def root_rect(self) -> QRectF:
        rw, rh = self.root
        scale = min(self.width() / rw, self.height() / rh)
        w, h = rw * scale, rh * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def widget_rect(self, rect: QRectF) -> QRect:
        root = self.root_rect()
        scale = root.width() / self.root[0]
        return QRectF(
            root.left() + rect.left() * scale,
            root.top() + rect.top() * scale,
            rect.width() * scale,
            rect.height() * scale,
        ).toAlignedRect()

    def _relayout(self) -> None:
        for widget, rect in self._placed:
            widget.setGeometry(self.widget_rect(rect))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.root_rect(), self.palette().base())
        painter.setPen(QColor(0, 0, 0, 40))
        painter.drawRect(self.root_rect().adjusted(0, 0, -1, -1))
        painter.end()


class SlideView(QWidget):
    """One slide. ``mode`` is ``regions`` (placed by the SMIL layout) or ``flow``."""

    def __init__(
        self,
        ctx: RenderContext,
        number: int,
        slide: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsSlide")
        self.number = number
        self.slide = slide
        self.duration_ms = slide_duration_ms(slide)
        #: (item dict, the widget that shows its part) in document order
        self.items: list[tuple[dict[str, Any], QWidget]] = []
        self.players: list[MediaPlayerWidget] = []
        layout_json = ctx.envelope.layout
        regions = regions_of(layout_json)
        items = [i for i in slide.get("items") or [] if isinstance(i, dict)]
        placed: list[tuple[dict[str, Any], Region | None]] = []
        for item in items:
            part = ctx.part(item.get("part"))
            kind = part.kind if part is not None else str(item.get("kind") or "")
            match = _match_region(item, regions, kind)
            placed.append((item, match[1] if match else None))
        visual = [
            (item, region)
            for item, region in placed
            if not self._is_bar_item(ctx, item, region is not None)
        ]
        self.mode = (
            "regions"
            if ctx.envelope.slides_source == "smil"
            and visual
            and all(region is not None for _i, region in visual)
            else "flow"
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        canvas: RegionCanvas | None = None
        if self.mode == "regions":
            canvas = RegionCanvas(root_size(layout_json), self)
            outer.addWidget(canvas, 1)
        flow = QVBoxLayout()
        bar = QVBoxLayout()
        for item, region in placed:
            part = ctx.part(item.get("part"))
            fit = region.fit if region is not None else None
            content = make_part_widget(ctx, part, fit=fit, src=str(item.get("src") or ""))
            frame = PartFrame(ctx, part, content)
            self.items.append((item, content))
            if isinstance(content, MediaPlayerWidget):
                self.players.append(content)
            if self._is_bar_item(ctx, item, region is not None):
                bar.addWidget(frame)
            elif canvas is not None and region is not None:
                canvas.place(frame, region.rect)
            else:
                kind = part.kind if part is not None else ""
                stretch = {"image": 3, "video": 3, "text": 1}.get(kind, 0)
                flow.addWidget(frame, stretch)
        self.canvas = canvas
        if self.mode == "flow":
            if flow.count() == 0 and bar.count() == 0:
                flow.addWidget(plain_label("This slide is empty.", self))
            elif flow.count() == 0:
                flow.addStretch(1)  # a sound-only slide: its player (in the bar) is the slide
            outer.addLayout(flow, 1)
        outer.addLayout(bar)

    @staticmethod
    def _is_bar_item(ctx: RenderContext, item: dict[str, Any], has_region: bool) -> bool:
        # sound, and contact cards the layout gives no region, go under the slide
        part = ctx.part(item.get("part"))
        return part is not None and part.kind in ("audio", "contact") and not has_region

    def widget_for_part(self, index: int) -> QWidget | None:
        for item, widget in self.items:
            if item.get("part") == index:
                return widget
        return None

    def pause_media(self) -> None:
        for player in self.players:
            player.pause()

    def play_media(self) -> None:
        for player in self.players:
            player.play()


class Slideshow(QWidget):
    """Previous / next, "Slide i of n", Play (advancing by each slide's duration)."""

    slideChanged = Signal(int)
    playingChanged = Signal(bool)

    def __init__(self, ctx: RenderContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mmsSlideshow")
        self._ctx = ctx
        self.slides: list[dict[str, Any]] = [s for s in ctx.envelope.slides if isinstance(s, dict)]
        self.current = -1
        self.playing = False
        self._views: dict[int, SlideView] = {}
        self.stack = QStackedWidget(self)
        self.empty_label = plain_label("This message has no slides to show.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_label)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._advance)

        style = self.style()
        self.prev_button = QPushButton("Previous", self)
        self.prev_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.prev_button.clicked.connect(self.previous)
        self.next_button = QPushButton("Next", self)
        self.next_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.next_button.clicked.connect(self.next)
        self.play_button = QPushButton("Play", self)
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.clicked.connect(self.toggle_play)
        self.counter = QLabel(self)
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self.counter.setObjectName("mmsSlideCounter")
        controls = QHBoxLayout()
        controls.addWidget(self.prev_button)
        controls.addWidget(self.play_button)
        controls.addWidget(self.next_button)
        controls.addStretch(1)
        controls.addWidget(self.counter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(controls)
        if self.slides:
            self.show_slide(0)
        else:
            self._update_controls()

    @property
    def count(self) -> int:
        return len(self.slides)

    def view(self, index: int) -> SlideView:
        """The slide's view (built the first time it is needed)."""
        if index not in self._views:
            view = SlideView(self._ctx, index, self.slides[index], self.stack)
            self._views[index] = view
            self.stack.addWidget(view)
        return self._views[index]

    def current_view(self) -> SlideView | None:
        return self._views.get(self.current)

    def show_slide(self, index: int) -> None:
        if not self.slides:
            return
        index = max(0, min(index, len(self.slides) - 1))
        old = self._views.get(self.current)
        if old is not None and index != self.current:
            old.pause_media()
        self.current = index
        view = self.view(index)
        self.stack.setCurrentWidget(view)
        self._update_controls()
        if self.playing:
            view.play_media()
            self.timer.start(view.duration_ms)
        self.slideChanged.emit(index)

    def next(self) -> None:
        if self.current + 1 < len(self.slides):
            self.show_slide(self.current + 1)

    def previous(self) -> None:
        if self.current > 0:
            self.show_slide(self.current - 1)

    def toggle_play(self) -> None:
        self.set_playing(not self.playing)

    def set_playing(self, playing: bool) -> None:
        if not self.slides or playing == self.playing:
            return
        self.playing = playing
        style = self.style()
        if playing:
            self.play_button.setText("Pause")
            self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause))
            if self.current == len(self.slides) - 1 and len(self.slides) > 1:
                self.show_slide(0)  # Play at the end starts over
            else:
                view = self.view(self.current)
                view.play_media()
                self.timer.start(view.duration_ms)
        else:
            self.timer.stop()
            self.play_button.setText("Play")
            self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
            shown = self.current_view()
            if shown is not None:
                shown.pause_media()
        self.playingChanged.emit(playing)

    def _advance(self) -> None:
        if self.current + 1 < len(self.slides):
            self.show_slide(self.current + 1)
        else:
            self.set_playing(False)

    def stop(self) -> None:
        self.timer.stop()
        self.playing = False

    def _update_controls(self) -> None:
        n = len(self.slides)
        if n == 0:
            self.counter.setText("No slides")
        else:
            seconds = (
                self._views[self.current].duration_ms / 1000 if self.current in self._views else 0
            )
            self.counter.setText(f"Slide {self.current + 1} of {n} · {seconds:g} s")
        self.prev_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(0 <= self.current < n - 1)
        self.play_button.setEnabled(n > 0)
