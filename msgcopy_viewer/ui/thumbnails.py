"""Thumbnail cache: MMS images decoded off the GUI thread, LRU-bounded, stale results dropped.

``get(sha256)`` returns a cached QImage or None (and schedules a decode); ``thumb(sha256)``
returns the whole decoded :class:`Thumb` (every frame of an animated GIF, with its
delays). ``ready(sha256)`` is emitted when a decode finishes so views can repaint.
Painting never waits and never decodes.

Bounds: the cache holds at most ``MAX_BYTES`` of decoded pixels (least recently used
thumbnails go first); an animation keeps at most ``MAX_FRAMES`` frames and
``MAX_ANIMATION_BYTES`` of pixels (frames past the budget are dropped, the rest loop).
Every frame is scaled to ``THUMB_SIZE`` while it is decoded, on a pool thread, by the one
decoder of message images (``ui.image_decoder``: only PNG, JPEG, GIF, BMP and WebP bytes,
within a pixel limit).
"""

from __future__ import annotations

import bisect
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, QThreadPool, Signal
from PySide6.QtGui import QImage

from msgcopy_viewer.store.connection import open_reader
from msgcopy_viewer.store.errors import StorageError
from msgcopy_viewer.store.media import media_bytes
from msgcopy_viewer.ui.image_decoder import DEFAULT_FRAME_MS, decode, warm_image_plugins

log = logging.getLogger(__name__)

THUMB_SIZE = 240  # device pixels; the delegate paints at ≤ 120 logical px (crisp at 2x)
MAX_BYTES = 96 << 20  # decoded pixels kept in the cache, all thumbnails together
MAX_BLOB = 32 << 20  # larger payloads are not read for a thumbnail
MAX_FRAMES = 60  # frames kept of one animation
MAX_ANIMATION_BYTES = 8 << 20  # decoded pixels kept of one animation
FAILED_COST = 64  # bookkeeping cost of remembering that a decode failed


@dataclass
class Thumb:
    """A decoded thumbnail: one frame, or the frames of an animation and their delays (ms)."""

    frames: list[QImage]
    delays: list[int] = field(default_factory=list)
    _ends: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if len(self.delays) != len(self.frames):
            self.delays = [DEFAULT_FRAME_MS] * len(self.frames)
        total = 0
        self._ends = []
        for d in self.delays:
            total += d
            self._ends.append(total)

    @property
    def image(self) -> QImage:
        return self.frames[0]

    @property
    def animated(self) -> bool:
        return len(self.frames) > 1

    @property
    def duration_ms(self) -> int:
        return self._ends[-1] if self._ends else 0

    @property
    def nbytes(self) -> int:
        return sum(int(f.sizeInBytes()) for f in self.frames)

    def frame_at(self, ms: int) -> int:
        """The frame shown ``ms`` after the animation started (it loops)."""
        if not self.animated or self.duration_ms <= 0:
            return 0
        return bisect.bisect_right(self._ends, ms % self.duration_ms)

    def ms_to_next_frame(self, ms: int) -> int:
        """How long the frame shown at ``ms`` stays on screen."""
        if not self.animated or self.duration_ms <= 0:
            return 0
        pos = ms % self.duration_ms
        return self._ends[bisect.bisect_right(self._ends, pos)] - pos


def decode_frames(
    data: bytes,
    size: int = THUMB_SIZE,
    max_frames: int = MAX_FRAMES,
    max_bytes: int = MAX_ANIMATION_BYTES,
) -> Thumb | None:
    """Decode an image (every frame of an animation, within the bounds), each scaled to fit
    ``size``×``size``; None when it cannot or may not be decoded (``ui.image_decoder``)."""
    decoded = decode(data, QSize(size, size), max_frames=max_frames, max_bytes=max_bytes)
    if not decoded.frames:
        log.debug("no thumbnail: %s", decoded.error)
        return None
    frames = [f.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied) for f in decoded.frames]
    return Thumb(frames, decoded.delays)


def _cost(thumb: Thumb | None) -> int:
    return thumb.nbytes if thumb is not None else FAILED_COST


class _Signals(QObject):
    done = Signal(int, str, object)  # generation, sha256, Thumb | None


class _DecodeJob(QRunnable):
    def __init__(self, signals: _Signals, generation: int, path: Path, sha256: str) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._signals, self._gen, self._path, self._sha = signals, generation, path, sha256

    def run(self) -> None:
        thumb: Thumb | None = None
        try:
            conn = open_reader(self._path)
            try:
                data = media_bytes(conn, self._sha, max_size=MAX_BLOB)
            finally:
                conn.close()
            if data is not None:
                thumb = decode_frames(data)
        except StorageError as exc:
            log.warning("thumbnail %s: %s", self._sha[:12], exc)
        except Exception:  # a decoder bug must not kill the pool thread
            log.exception("thumbnail %s failed", self._sha[:12])
        self._signals.done.emit(self._gen, self._sha, thumb)


class ThumbnailCache(QObject):
    ready = Signal(str)  # sha256

    def __init__(self, parent: QObject | None = None, max_bytes: int = MAX_BYTES) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._generation = 0
        self._thumbs: OrderedDict[str, Thumb | None] = OrderedDict()
        self._bytes = 0
        self.max_bytes = max_bytes
        self._pending: set[str] = set()
        warm_image_plugins()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)

    @property
    def case_path(self) -> Path | None:
        return self._path

    @property
    def cached_bytes(self) -> int:
        """Decoded pixels held now (never more than ``max_bytes`` after an insert)."""
        return self._bytes

    def set_case_path(self, path: Path | None) -> None:
        self._generation += 1
        self._pool.clear()
        self._path = path
        self._thumbs.clear()
        self._bytes = 0
        self._pending.clear()

    def thumb(self, sha256: str) -> Thumb | None:
        """The decoded thumbnail (None while loading, or when it cannot be decoded)."""
        if sha256 in self._thumbs:
            self._thumbs.move_to_end(sha256)
            return self._thumbs[sha256]
        if sha256 not in self._pending and self._path is not None:
            self._pending.add(sha256)
            self._pool.start(_DecodeJob(self._signals, self._generation, self._path, sha256))
        return None

    def peek(self, sha256: str) -> Thumb | None:
        """The decoded thumbnail if cached; never schedules a decode nor touches the LRU."""
        return self._thumbs.get(sha256)

    def get(self, sha256: str) -> QImage | None:
        """The (first frame of the) thumbnail if decoded, else None (and a decode is queued)."""
        thumb = self.thumb(sha256)
        return thumb.image if thumb is not None else None

    def is_failed(self, sha256: str) -> bool:
        return sha256 in self._thumbs and self._thumbs[sha256] is None

    def _on_done(self, generation: int, sha256: str, thumb: object) -> None:
        if generation != self._generation:
            return  # another case was opened meanwhile
        self._pending.discard(sha256)
        value = thumb if isinstance(thumb, Thumb) else None
        if sha256 in self._thumbs:
            self._bytes -= _cost(self._thumbs.pop(sha256))
        self._thumbs[sha256] = value
        self._bytes += _cost(value)
        while self._bytes > self.max_bytes and len(self._thumbs) > 1:
            _sha, evicted = self._thumbs.popitem(last=False)
            self._bytes -= _cost(evicted)
        self.ready.emit(sha256)

    def wait(self) -> None:
        self._pool.waitForDone()

    def shutdown(self) -> None:
        self._generation += 1
        self._pool.clear()
        self._pool.waitForDone()
