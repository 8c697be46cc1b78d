"""Decoding MMS images off the GUI thread.

A :class:`ImageLoader` hands each request to a :class:`QThreadPool` as a
:class:`QRunnable`. The runnable opens its own read-only connection to the case,
reads the part's bytes from the ``media`` table, and decodes them with
:class:`QImageReader` (explicit format, no auto-detection, an allocation limit and a
pixel-count cap against decompression bombs). It never touches a widget: the result
travels back as a :class:`LoadResult` through a queued signal, tagged with the
request's token so that the requester can drop stale answers.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from dataclasses import dataclass, field
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

from msgcopy_viewer.store.case import Case, CaseError
from msgcopy_viewer.ui.thumbnails import warm_image_plugins

log = logging.getLogger(__name__)

#: QImageReader refuses to allocate more than this many megabytes for one image.
ALLOCATION_LIMIT_MB = 256
#: Images with more pixels than this are refused before decoding (a 64-megapixel cap).
MAX_PIXELS = 64_000_000

_tokens = itertools.count(1)


def next_token() -> int:
    return next(_tokens)


@functools.cache
def supported_formats() -> frozenset[bytes]:
    return frozenset(bytes(f.data()).lower() for f in QImageReader.supportedImageFormats())


@dataclass(slots=True)
class LoadResult:
    token: int
    sha256: str
    image: QImage | None = None
    #: The encoded bytes, returned for animations (QMovie plays them on the GUI thread).
    animated_data: bytes | None = None
    original_size: QSize = field(default_factory=QSize)
    error: str | None = None


def decode_image(
    data: bytes, fmt: bytes | None, max_size: QSize | None = None
) -> tuple[QImage | None, QSize, bool, str | None]:
    """Decode ``data`` as ``fmt``; return (image, original size, animated, error text).

    Safe to call from any thread (QImage is not a widget).
    """
    if not data:
        return None, QSize(), False, "the part is empty"
    if fmt is None:
        return None, QSize(), False, "this type of image cannot be shown"
    if fmt not in supported_formats():
        return None, QSize(), False, f"no {fmt.decode().upper()} decoder is available here"
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader: QImageReader | None = QImageReader(buf, fmt)
    try:
        assert reader is not None
        return _read(reader, fmt, max_size)
    finally:
        # The reader goes first: some handlers (TIFF's) use the device when destroyed,
        # and a buffer freed before them crashed the process.
        reader = None
        buf.close()


def _read(
    reader: QImageReader, fmt: bytes, max_size: QSize | None
) -> tuple[QImage | None, QSize, bool, str | None]:
    reader.setAutoDetectImageFormat(False)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_PIXELS:
        return (
            None,
            size,
            False,
            f"the image is too large to show safely ({size.width()} × {size.height()} pixels)",
        )
    animated = fmt == b"gif" and reader.supportsAnimation() and reader.imageCount() > 1
    if (
        max_size is not None
        and size.isValid()
        and max_size.isValid()
        and (size.width() > max_size.width() or size.height() > max_size.height())
    ):
        reader.setScaledSize(size.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None, size, animated, f"the image could not be decoded ({reader.errorString()})"
    return image, size, animated, None


class _Signals(QObject):
    done = Signal(object)  # LoadResult


class _LoadTask(QRunnable):
    def __init__(
        self,
        signals: _Signals,
        case_path: Path,
        token: int,
        sha256: str,
        fmt: bytes | None,
        max_size: QSize | None,
        cancelled: threading.Event,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._signals = signals  # a Python reference keeps the emitter alive
        self._case_path = case_path
        self._token = token
        self._sha256 = sha256
        self._fmt = fmt
        self._max_size = max_size
        self._cancelled = cancelled

    def run(self) -> None:
        result = LoadResult(self._token, self._sha256)
        try:
            if self._cancelled.is_set():
                return
            try:
                with Case.open(self._case_path, create=False, readonly=True) as case:
                    data = case.media_bytes(self._sha256)
            except CaseError as exc:
                result.error = str(exc)
                data = None
            if data is None:
                result.error = result.error or "its bytes are missing from the case"
            elif not self._cancelled.is_set():
                image, size, animated, error = decode_image(data, self._fmt, self._max_size)
                result.image = image
                result.original_size = size
                result.error = error
                if animated:
                    result.animated_data = data
        except Exception as exc:  # a bug: log it, report a placeholder, never crash a thread
            log.exception("decoding image %s failed", self._sha256)
            result.error = f"the image could not be decoded ({type(exc).__name__})"
        if not self._cancelled.is_set():
            self._signals.done.emit(result)


class ImageLoader(QObject):
    """Queues image decodes on a private thread pool; ``loaded`` carries a LoadResult."""

    loaded = Signal(object)

    def __init__(self, case_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._case_path = case_path
        warm_image_plugins()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals()
        self._signals.done.connect(self._on_done)
        self._cancelled = threading.Event()

    @property
    def pool(self) -> QThreadPool:
        return self._pool

    def request(self, sha256: str, fmt: bytes | None, max_size: QSize | None = None) -> int:
        """Queue a decode; returns the token the matching ``loaded`` result will carry."""
        token = next_token()
        task = _LoadTask(
            self._signals, self._case_path, token, sha256, fmt, max_size, self._cancelled
        )
        self._pool.start(task)
        return token

    def _on_done(self, result: LoadResult) -> None:
        if not self._cancelled.is_set():
            self.loaded.emit(result)

    def shutdown(self) -> None:
        """Drop pending work and wait for running decodes to finish."""
        self._cancelled.set()
        self._pool.clear()
        self._pool.waitForDone()
