"""Thumbnail cache: MMS images decoded off the GUI thread, LRU-bounded, stale results dropped.

``get(sha256)`` returns a cached QImage or None (and schedules a decode); ``ready(sha256)``
is emitted when a decode finishes so views can repaint. Painting never waits.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QImage, QImageReader

log = logging.getLogger(__name__)

THUMB_SIZE = 240  # device pixels; the delegate paints at ≤ 120 logical px (crisp at 2x)
MAX_ITEMS = 400
ALLOCATION_LIMIT_MB = 64
MAX_BLOB = 32 << 20


def decode_thumbnail(data: bytes, size: int = THUMB_SIZE) -> QImage | None:
    """Decode an image scaled to fit ``size``×``size``; None when it cannot be read."""
    ba = QByteArray(data)
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buf)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and (full.width() > size or full.height() > size):
        reader.setScaledSize(full.scaled(QSize(size, size), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buf.close()
    if image.isNull():
        return None
    if image.width() > size or image.height() > size:
        image = image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


class _Signals(QObject):
    done = Signal(int, str, object)  # generation, sha256, QImage | None


class _DecodeJob(QRunnable):
    def __init__(self, signals: _Signals, generation: int, path: Path, sha256: str) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._signals, self._gen, self._path, self._sha = signals, generation, path, sha256

    def run(self) -> None:
        image: QImage | None = None
        try:
            conn = sqlite3.connect(f"{self._path.as_uri()}?mode=ro", uri=True)
            try:
                row = conn.execute(
                    "SELECT data FROM media WHERE sha256 = ? AND size <= ?", (self._sha, MAX_BLOB)
                ).fetchone()
            finally:
                conn.close()
            if row is not None:
                image = decode_thumbnail(bytes(row[0]))
        except sqlite3.Error as exc:
            log.warning("thumbnail %s: %s", self._sha[:12], exc)
        except Exception:  # a decoder bug must not kill the pool thread
            log.exception("thumbnail %s failed", self._sha[:12])
        self._signals.done.emit(self._gen, self._sha, image)


class ThumbnailCache(QObject):
    ready = Signal(str)  # sha256

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._generation = 0
        self._images: OrderedDict[str, QImage | None] = OrderedDict()
        self._pending: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)

    def set_case_path(self, path: Path | None) -> None:
        self._generation += 1
        self._pool.clear()
        self._path = path
        self._images.clear()
        self._pending.clear()

    def get(self, sha256: str) -> QImage | None:
        """The thumbnail if decoded (None while loading or when it cannot be decoded)."""
        if sha256 in self._images:
            self._images.move_to_end(sha256)
            return self._images[sha256]
        if sha256 not in self._pending and self._path is not None:
            self._pending.add(sha256)
            self._pool.start(_DecodeJob(self._signals, self._generation, self._path, sha256))
        return None

    def is_failed(self, sha256: str) -> bool:
        return sha256 in self._images and self._images[sha256] is None

    def _on_done(self, generation: int, sha256: str, image: object) -> None:
        if generation != self._generation:
            return  # another case was opened meanwhile
        self._pending.discard(sha256)
        self._images[sha256] = image if isinstance(image, QImage) else None
        while len(self._images) > MAX_ITEMS:
            self._images.popitem(last=False)
        self.ready.emit(sha256)

    def wait(self) -> None:
        self._pool.waitForDone()

    def shutdown(self) -> None:
        self._generation += 1
        self._pool.clear()
        self._pool.waitForDone()
