"""Decoding MMS images off the GUI thread.

A :class:`ImageLoader` hands each request to a :class:`QThreadPool` as a
:class:`QRunnable`. The runnable opens its own read-only connection to the case,
reads the part's bytes from the ``media`` table, and decodes them with the one decoder of
message images (``ui.image_decoder``: PNG, JPEG, GIF, BMP and WebP recognised from the
bytes, the format forced, no auto-detection, an allocation limit and a pixel-count cap
against decompression bombs). It never touches a widget: the result
travels back as a :class:`LoadResult` through a queued signal, tagged with the
request's token so that the requester can drop stale answers.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, QThreadPool, Signal
from PySide6.QtGui import QImage

from msgcopy_viewer.store.case import Case, CaseError
from msgcopy_viewer.ui.image_decoder import decode, warm_image_plugins

log = logging.getLogger(__name__)

_tokens = itertools.count(1)


def next_token() -> int:
    return next(_tokens)


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
    data: bytes, max_size: QSize | None = None
) -> tuple[QImage | None, QSize, bool, str | None]:
    """Decode ``data`` for the viewer; return (image, original size, animated GIF, error).

    The bytes decide what is decoded (``ui.image_decoder``): a part's declared type is not
    trusted and plays no part. Safe to call from any thread.
    """
    decoded = decode(data, max_size)
    animated = decoded.animated and decoded.format == "gif"  # QMovie plays GIFs
    return decoded.image, decoded.original_size, animated, decoded.error


class _Signals(QObject):
    done = Signal(object)  # LoadResult


class _LoadTask(QRunnable):
    def __init__(
        self,
        signals: _Signals,
        case_path: Path,
        token: int,
        sha256: str,
        max_size: QSize | None,
        cancelled: threading.Event,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._signals = signals  # a Python reference keeps the emitter alive
        self._case_path = case_path
        self._token = token
        self._sha256 = sha256
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
                image, size, animated, error = decode_image(data, self._max_size)
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

    def request(self, sha256: str, max_size: QSize | None = None) -> int:
        """Queue a decode of the part stored under ``sha256`` (scaled to fit ``max_size``);
        returns the token the matching ``loaded`` result will carry."""
        token = next_token()
        task = _LoadTask(self._signals, self._case_path, token, sha256, max_size, self._cancelled)
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
