"""One decoder for message images: thumbnails and the MMS viewer refuse the same bytes.

Parts that are not PNG, JPEG, GIF, BMP or WebP by their own bytes (an SVG, a PDF, a TIFF,
a TIFF declared as a PNG) and a PNG whose header claims billions of pixels are read from
a real case by both the thumbnailer and the viewer's loader: both give a placeholder.
The allowed formats decode in both.
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QSize

from msgcopy_viewer.ui import image_decoder
from msgcopy_viewer.ui.mms.image_loader import ImageLoader, LoadResult
from msgcopy_viewer.ui.thumbnails import ThumbnailCache, decode_frames
from tests.gui.mms_helpers import (
    gif_bytes,
    image_bytes,
    import_message,
    jpeg_bytes,
    mm7,
    part,
    png_bytes,
    text_part,
)

pytestmark = pytest.mark.gui

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
    b'<rect width="64" height="48" fill="red"/></svg>'
)


def huge_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid PNG header for ``width`` × ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# name -> (declared type, bytes)
REFUSED = {
    "drawing.svg": ("image/svg+xml", SVG),
    "drawing-said-png.png": ("image/png", SVG),
    "scan.pdf": ("application/pdf", image_bytes("PDF")),
    "scan.tiff": ("image/tiff", image_bytes("TIFF")),
    "tiff-said-png.png": ("image/png", image_bytes("TIFF")),
}
BOMB = {"bomb.png": ("image/png", huge_png())}
DECODED = {
    "a.png": ("image/png", png_bytes()),
    "a.jpg": ("image/jpeg", jpeg_bytes()),
    "anim.gif": ("image/gif", gif_bytes()),
    "a.bmp": ("image/bmp", image_bytes("BMP")),
    "a.webp": ("image/webp", image_bytes("WEBP")),
    "png-said-jpeg.jpg": ("image/jpeg", png_bytes(32, 16)),  # the bytes decide
}
ALL = {**REFUSED, **BOMB, **DECODED}


@pytest.fixture(scope="module")
def case_with_images(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One MMS holding every part above; returns the case and each part's SHA-256 by name."""
    tmp = tmp_path_factory.mktemp("images")
    parts = [
        part(ctype, data, f"p{n}", name) for n, (name, (ctype, data)) in enumerate(ALL.items())
    ]
    message, mtype = mm7([*parts, text_part("see attached")])
    case_path, _rowid = import_message(tmp, message, mtype)
    conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
    try:
        shas = dict(conn.execute("SELECT name, sha256 FROM mms_parts WHERE name IS NOT NULL"))
    finally:
        conn.close()
    assert set(ALL) <= set(shas), shas
    return case_path, shas


def test_the_thumbnailer_refuses_what_the_viewer_refuses(qtbot, case_with_images) -> None:
    case_path, shas = case_with_images
    cache = ThumbnailCache()
    cache.set_case_path(case_path)
    try:
        for name in ALL:
            assert cache.thumb(shas[name]) is None  # queued
        qtbot.waitUntil(lambda: all(cache.peek(shas[n]) or cache.is_failed(shas[n]) for n in ALL))
        for name in {**REFUSED, **BOMB}:
            assert cache.is_failed(shas[name]), name
        for name in DECODED:
            thumb = cache.peek(shas[name])
            assert thumb is not None and not thumb.image.isNull(), name
        assert cache.peek(shas["anim.gif"]).animated
        assert cache.peek(shas["png-said-jpeg.jpg"]).image.size() == QSize(32, 16)
    finally:
        cache.shutdown()


def test_the_viewer_loader_refuses_what_the_thumbnailer_refuses(qtbot, case_with_images) -> None:
    case_path, shas = case_with_images
    loader = ImageLoader(case_path)
    results: dict[int, LoadResult] = {}
    loader.loaded.connect(lambda r: results.__setitem__(r.token, r))
    try:
        tokens = {name: loader.request(shas[name], QSize(400, 400)) for name in ALL}
        qtbot.waitUntil(lambda: len(results) == len(ALL))
        for name in REFUSED:
            r = results[tokens[name]]
            assert r.image is None and r.error == image_decoder.REFUSED, (name, r.error)
        bomb = results[tokens["bomb.png"]]
        assert bomb.image is None and "too large" in (bomb.error or "")
        assert bomb.original_size == QSize(50_000, 50_000)
        for name in DECODED:
            r = results[tokens[name]]
            assert r.error is None and r.image is not None and not r.image.isNull(), name
        assert results[tokens["anim.gif"]].animated_data is not None
        assert results[tokens["a.png"]].animated_data is None
    finally:
        loader.shutdown()


@pytest.mark.parametrize("name", sorted(ALL))
def test_decode_decides_from_the_bytes(qapp, name: str) -> None:
    _ctype, data = ALL[name]
    decoded = image_decoder.decode(data, QSize(240, 240), max_frames=60)
    if name in DECODED:
        assert decoded.error is None and decoded.frames
        assert decoded.format in ("png", "jpeg", "gif", "bmp", "webp")
        assert all(f.width() <= 240 and f.height() <= 240 for f in decoded.frames)
        assert decode_frames(data) is not None
    else:
        assert decoded.frames == [] and decoded.error
        assert decode_frames(data) is None


def test_empty_and_truncated_bytes_are_refused_plainly(qapp) -> None:
    assert image_decoder.decode(b"").error == "the part is empty"
    truncated = png_bytes()[:40]
    decoded = image_decoder.decode(truncated)
    assert decoded.format == "png" and decoded.frames == []
    assert decoded.error and decoded.error.startswith("the image could not be decoded")
