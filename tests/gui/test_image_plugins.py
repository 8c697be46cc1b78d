"""Image-format plugins are created on the GUI thread before any pool thread decodes;
every allowed format decodes, and the others (TIFF, whose handler used to touch a freed
buffer) are refused without crashing.

A pool thread that creates a plugin while holding the GIL can deadlock with the GUI
thread destroying a widget (see ``ui.image_decoder.warm_image_plugins``). Qt reports each
plugin library it loads when QT_DEBUG_PLUGINS is set; a fresh process shows whether any
is loaded only once decoding has started on other threads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import io, sys
    from pathlib import Path
    from PIL import Image
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    which = sys.argv[1]
    if which == "thumbnails":
        from msgcopy_viewer.ui.thumbnails import ThumbnailCache
        owner = ThumbnailCache()
    else:
        from msgcopy_viewer.ui.mms.image_loader import ImageLoader
        owner = ImageLoader(Path("unused.mcase"))
    print("OWNER-READY", file=sys.stderr, flush=True)
    from msgcopy_viewer.ui.thumbnails import decode_frames
    images = []
    formats = ("GIF", "JPEG", "WEBP", "TIFF", "PNG", "BMP")
    for fmt in formats:
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, fmt)
        images.append(buf.getvalue())
    from PySide6.QtCore import QThreadPool
    decoded = {}
    pool = QThreadPool()
    for fmt, data in zip(formats, images):
        pool.start(lambda fmt=fmt, data=data: decoded.__setitem__(fmt, decode_frames(data)))
    pool.waitForDone()
    assert decoded.pop("TIFF") is None
    assert all(d is not None and d.frames for d in decoded.values()), decoded
    from msgcopy_viewer.ui.mms.image_loader import decode_image
    for fmt, data in zip(formats, images):
        image, size, _animated, error = decode_image(data)
        if fmt == "TIFF":
            assert image is None and error == "this type of image cannot be shown", error
        else:
            assert image is not None and size.width() == 8, (fmt, error)
    print("DECODED", len(decoded), file=sys.stderr, flush=True)
    """
)


@pytest.mark.parametrize("owner", ["thumbnails", "image_loader"])
def test_plugins_load_before_pool_threads_decode_and_all_formats_decode(owner: str) -> None:
    env = dict(os.environ, QT_DEBUG_PLUGINS="1", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, owner],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = proc.stderr
    assert "DECODED 5" in log
    before, after = log.split("OWNER-READY", 1)
    loaded = [ln for ln in before.splitlines() if "imageformats" in ln and '" loaded library' in ln]
    assert loaded, "no image plugin was loaded up front"
    late = [ln for ln in after.splitlines() if "imageformats" in ln and '" loaded library' in ln]
    assert late == []
