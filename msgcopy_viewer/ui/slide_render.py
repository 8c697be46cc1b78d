"""Rendering an MMS's first slide offscreen with the real viewer (for ``selftest``).

The MMS viewer dialog is built exactly as the app builds it, shown on Qt's offscreen
platform, left to decode its images on its thread pool, and its first slide is grabbed
into a PNG. Qt's own messages are collected, so a failure can say what Qt reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QElapsedTimer,
    QEventLoop,
    QLoggingCategory,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from msgcopy_viewer.ui.app import QT_LOG_RULES

WAIT_MS = 30_000


class SlideRenderError(Exception):
    """The slide could not be rendered; ``qt_messages`` holds what Qt reported meanwhile."""

    def __init__(self, message: str, qt_messages: list[str]) -> None:
        super().__init__(message)
        self.qt_messages = qt_messages


@dataclass
class SlideRender:
    width: int
    height: int
    image_states: list[str]  # one per image on the slide: image, movie or failed
    colours: int  # distinct colours in the grabbed slide (a blank slide has one or two)
    texts: list[str] = field(default_factory=list)  # the text parts shown on the slide
    # (state, message) of each audio/video player on the slide: "ready" once Qt
    # Multimedia's backend has loaded the media; "unavailable" or "error" with the reason
    players: list[tuple[str, str]] = field(default_factory=list)
    qt_messages: list[str] = field(default_factory=list)


def _distinct_colours(image: QImage, limit: int = 4096) -> int:
    seen: set[int] = set()
    step = max(1, min(image.width(), image.height()) // 64)
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
            if len(seen) >= limit:
                return len(seen)
    return len(seen)


def _wait(done: Any, timeout_ms: int) -> bool:
    """Run the event loop until ``done()`` or the timeout; True if done."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(20)

    def check() -> None:
        if done() or clock.elapsed() > timeout_ms:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    if not done():
        loop.exec()
    timer.stop()
    return bool(done())


def render_first_slide(case_path: Path, rowid: int, out_png: Path) -> SlideRender:
    """Open message ``rowid`` of the case in the MMS viewer, offscreen, and save its first
    slide as ``out_png``. Raises :class:`SlideRenderError` when it cannot."""
    messages: list[str] = []

    def collect(mode: QtMsgType, _context: Any, message: str) -> None:
        if mode not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            messages.append(message)

    previous = qInstallMessageHandler(collect)
    QLoggingCategory.setFilterRules(QT_LOG_RULES)
    try:
        if QApplication.instance() is None:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            QApplication(["msgcopy-viewer"])
        from msgcopy_viewer.ui.mms.part_view import TextPartView
        from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

        dialog = MmsViewerDialog(case_path, rowid)
        try:
            if dialog.error_label is not None:
                raise SlideRenderError(dialog.error_label.text(), messages)
            assert dialog.slideshow is not None and dialog.ctx is not None
            dialog.show()
            ctx = dialog.ctx

            def settled() -> bool:
                return all(v.state != "loading" for v in ctx.images) and all(
                    p.state != "loading" for p in ctx.players
                )

            if not _wait(settled, WAIT_MS):
                raise SlideRenderError(
                    f"the slide's media were not loaded within {WAIT_MS / 1000:.0f} s",
                    messages,
                )
            view = dialog.slideshow.current_view()
            if view is None:
                raise SlideRenderError("the message has no slide to show", messages)
            image = view.grab().toImage()
            if image.isNull() or not image.save(str(out_png)):
                raise SlideRenderError(f"could not save the rendered slide to {out_png}", messages)
            return SlideRender(
                width=image.width(),
                height=image.height(),
                image_states=[v.state for v in ctx.images],
                colours=_distinct_colours(image),
                texts=[w.toPlainText() for w in view.findChildren(TextPartView)],
                players=[(p.state, p.message) for p in ctx.players],
                qt_messages=list(messages),
            )
        finally:
            dialog.shutdown()
            dialog.close()
            dialog.deleteLater()
            QApplication.processEvents()
    finally:
        qInstallMessageHandler(previous)
