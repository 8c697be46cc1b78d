"""The one image decoder for message content: thumbnails and the MMS viewer both use it.

Rules, all applied here and nowhere else:

* Which bytes may be decoded at all is decided by ``core.media_types.decodable_image_format``
  from the bytes' magic (PNG, JPEG, GIF, BMP, WebP), never from the type a part declares:
  SVG, PDF, TIFF, HEIC and the rest never reach an image plugin.
* ``QImageReader`` gets that format forced, with auto-detection off, so a plugin for
  another format is never asked to read the bytes.
* Images with more than ``MAX_PIXELS`` pixels are refused from their header, before
  anything is decoded, and Qt's allocation limit (``ALLOCATION_LIMIT_MB``) refuses any
  larger buffer a decoder would ask for (a decompression bomb).
* A reader is destroyed before the buffer it reads: some handlers use their device when
  destroyed, and a buffer freed first crashed the process.
* Every image-format plugin is created on the GUI thread (``warm_image_plugins``) before a
  pool thread decodes: see docs/architecture.md, "Threads and processes".

``decode`` is safe to call from any thread (QImage is not a widget).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from msgcopy_viewer.core.media_types import DECODABLE_IMAGE_FORMATS, decodable_image_format

#: Qt refuses to allocate more than this many megabytes for one image.
ALLOCATION_LIMIT_MB = 256
#: Images with more pixels than this are refused before decoding (64 megapixels: 256 MB
#: at four bytes a pixel, the allocation limit).
MAX_PIXELS = 64_000_000
MIN_FRAME_MS = 20  # GIF delays below this are shown as DEFAULT_FRAME_MS (as browsers do)
DEFAULT_FRAME_MS = 100

REFUSED = "this type of image cannot be shown"


@dataclass(slots=True)
class Decoded:
    """What ``decode`` made of some bytes: frames (empty when it failed) and why not."""

    frames: list[QImage] = field(default_factory=list)
    #: How long each frame is shown (ms), for animations.
    delays: list[int] = field(default_factory=list)
    #: The image's own size (before any scaling), when its header could be read.
    original_size: QSize = field(default_factory=QSize)
    #: The file holds more than one frame (whether or not more than one was decoded).
    animated: bool = False
    #: The format the bytes were decoded as (``png``, ``jpeg``, ``gif``, ``bmp``, ``webp``).
    format: str | None = None
    #: Why nothing was decoded, in words for the user (None when frames were).
    error: str | None = None

    @property
    def image(self) -> QImage | None:
        return self.frames[0] if self.frames else None


@functools.cache
def supported_formats() -> frozenset[str]:
    """The formats this Qt can read (a format of the allowlist may lack its plugin)."""
    return frozenset(bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats())


_plugins_ready = False


def warm_image_plugins() -> None:
    """Create every image-format plugin once, on the GUI thread, before any pool thread
    decodes an image.

    Qt creates a plugin the first time a reader needs it and moves it to the main thread
    (``QObject::moveToThread``, which takes the main thread's object lock). A pool thread
    doing that while it holds the GIL (PySide6 keeps it across some ``QImageReader``
    calls) deadlocks with the GUI thread destroying a widget: the destructor holds that
    lock and waits for the GIL to look for Python overrides. Seen as a hang in the test
    suite; created here first, no pool thread ever creates a plugin.
    """
    global _plugins_ready
    if _plugins_ready:
        return
    _plugins_ready = True
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    # Listing the formats creates every plugin (each is asked what it can do); the list
    # is kept for the pool threads, which must not be the first to ask.
    readable = supported_formats()
    junk = QByteArray(b"\x00" * 64)
    for fmt in sorted(set(DECODABLE_IMAGE_FORMATS.values()) & readable):
        buf = QBuffer()
        buf.setData(junk)
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        reader: QImageReader | None = QImageReader(buf, fmt.encode())
        assert reader is not None
        reader.setAutoDetectImageFormat(False)
        reader.canRead()  # makes the handler a decode will make
        reader = None  # before its buffer (see decode)
        buf.close()


def decode(
    data: bytes,
    max_size: QSize | None = None,
    *,
    max_frames: int = 1,
    max_bytes: int | None = None,
) -> Decoded:
    """Decode ``data`` if its bytes are an allowed format.

    Each frame is scaled (while it is decoded) to fit ``max_size`` when it is larger. At
    most ``max_frames`` frames of an animation are read, and frames after the first stop
    once their pixels would pass ``max_bytes``.
    """
    if not data:
        return Decoded(error="the part is empty")
    fmt = decodable_image_format(data)
    if fmt is None:
        return Decoded(error=REFUSED)
    if fmt not in supported_formats():
        return Decoded(format=fmt, error=f"no {fmt.upper()} decoder is available here")
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)  # one value, wherever it is set
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    reader: QImageReader | None = QImageReader(buf, fmt.encode())
    try:
        assert reader is not None
        return _read(reader, fmt, max_size, max_frames, max_bytes)
    finally:
        # The reader goes first: some handlers (TIFF's) use the device when destroyed,
        # and a buffer freed before them crashed the process.
        reader = None
        buf.close()


def _read(
    reader: QImageReader,
    fmt: str,
    max_size: QSize | None,
    max_frames: int,
    max_bytes: int | None,
) -> Decoded:
    reader.setAutoDetectImageFormat(False)
    reader.setDecideFormatFromContent(False)
    reader.setAutoTransform(True)
    result = Decoded(format=fmt)
    size = reader.size()
    result.original_size = size
    if size.isValid() and size.width() * size.height() > MAX_PIXELS:
        result.error = (
            f"the image is too large to show safely ({size.width()} × {size.height()} pixels)"
        )
        return result
    count = reader.imageCount() if reader.supportsAnimation() else 1
    result.animated = count > 1
    if (
        max_size is not None
        and size.isValid()
        and max_size.isValid()
        and (size.width() > max_size.width() or size.height() > max_size.height())
    ):
        reader.setScaledSize(size.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio))
    used = 0
    while len(result.frames) < max(1, max_frames):
        image = reader.read()
        if image.isNull():
            if not result.frames:
                result.error = f"the image could not be decoded ({reader.errorString()})"
            break
        if max_size is not None and max_size.isValid():
            image = _fit(image, max_size)
        if result.frames and max_bytes is not None and used + image.sizeInBytes() > max_bytes:
            break  # keep what fits: the decoded frames still loop
        delay = reader.nextImageDelay()
        result.frames.append(image)
        result.delays.append(delay if delay >= MIN_FRAME_MS else DEFAULT_FRAME_MS)
        used += int(image.sizeInBytes())
        if count == 1 or not reader.canRead():
            break
    return result


def _fit(image: QImage, box: QSize) -> QImage:
    """Scale down a frame the reader could not scale (a header without a size)."""
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(
            box,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image
