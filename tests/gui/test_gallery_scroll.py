"""The gallery of 10,000 images scrolls without decoding images off screen: every call of
the one image decoder is counted while the view scrolls, and each decoded image was on
screen at some step."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui import thumbnails as thumbnails_module
from msgcopy_viewer.ui.thumbnails import ThumbnailCache
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from msgcopy_viewer.ui.widgets.gallery_view import GalleryPanel
from tests.gui.gallery_case import build_gallery_case

IMAGES = 10_000


@pytest.fixture(scope="module")
def gallery_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gallery_case(tmp_path_factory.mktemp("gallery"), IMAGES)


class DecoderCalls:
    """Counts the calls of the image decoder (on the cache's pool threads) and the SHA-256
    of the bytes each call was given."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.shas: list[str] = []

    def __call__(self, data: bytes, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.shas.append(hashlib.sha256(data).hexdigest())
        return self.real(data, *args, **kwargs)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.shas)


@pytest.fixture
def panel(qtbot: Any, gallery_case: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    calls = DecoderCalls(thumbnails_module.decode)
    monkeypatch.setattr(thumbnails_module, "decode", calls)
    case = Case.open(gallery_case, create=False, readonly=True)
    thumbs = ThumbnailCache()
    thumbs.set_case_path(case.path)
    p = GalleryPanel(TimeZoneSettings(), thumbs)
    qtbot.addWidget(p)
    p.resize(640, 420)
    p.show()
    qtbot.waitExposed(p)
    p.set_connection(case.conn, case)
    p.calls = calls
    p.thumbs = thumbs
    try:
        yield p
    finally:
        thumbs.shutdown()
        case.close()


def _on_screen(p: Any) -> set[str]:
    view, model = p.view, p.model
    rect = view.viewport().rect()
    first = view.indexAt(rect.topLeft()).row()
    rows = range(max(0, first - 10), min(model.rowCount(), max(first, 0) + 60))
    return {
        model.item(r).part.sha256
        for r in rows
        if view.visualRect(model.index(r, 0)).intersects(rect)
    }


def _step(qtbot: Any, p: Any, value: int, seen: set[str]) -> set[str]:
    """Scroll to ``value``, paint, and wait until what is on screen is decoded."""
    bar = p.view.verticalScrollBar()
    bar.setValue(value)
    p.view.viewport().repaint()
    shown = _on_screen(p)
    assert shown
    seen |= shown
    qtbot.waitUntil(lambda: all(p.thumbs.peek(s) is not None for s in shown), timeout=20_000)
    return shown


def test_scrolling_ten_thousand_images_decodes_only_what_is_shown(qtbot: Any, panel: Any) -> None:
    p, model, view = panel, panel.model, panel.view
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == IMAGES
    view.doItemsLayout()
    bar = view.verticalScrollBar()
    assert bar.maximum() > 100 * bar.pageStep()  # thousands of rows below the fold
    seen: set[str] = set()
    _step(qtbot, p, 0, seen)
    for n in range(1, 16):  # page by page from the top …
        _step(qtbot, p, n * bar.pageStep(), seen)
    middle = bar.maximum() // 2
    for n in range(8):  # … a jump to the middle and on from there …
        _step(qtbot, p, middle + n * bar.pageStep(), seen)
    _step(qtbot, p, bar.maximum(), seen)  # … and the end
    qtbot.waitUntil(lambda: not p.thumbs._pending, timeout=20_000)
    decoded = set(p.calls.shas)
    # each image shown was decoded once, and nothing that was never on screen was decoded
    assert seen <= decoded
    assert decoded <= seen | {model.item(0).part.sha256}
    assert p.calls.count == len(decoded)
    assert p.calls.count < len(seen) + 2 < IMAGES // 10
    # scrolling back over decoded images decodes nothing again
    before = p.calls.count
    for n in range(4):
        _step(qtbot, p, n * bar.pageStep(), seen)
    assert p.calls.count == before
