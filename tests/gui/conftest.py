"""GUI fixtures: a private data folder, a small vendor-format corpus written by the test,
captured message boxes (no modal dialog ever blocks a test), and the main window.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SUBSCRIBER = "19465559040"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    """Where screenshot tests save their images: docs/screenshots when
    MSGCOPY_SCREENSHOTS=1 (to refresh the README's pictures), else a temporary folder."""
    if os.environ.get("MSGCOPY_SCREENSHOTS") == "1":
        out = REPO / "docs" / "screenshots"
    else:
        out = tmp_path / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def sms_event(i: int, *, other: str = "12145555273", direction: str = "mo") -> dict[str, Any]:
    sec = i % 60
    minute = (i // 60) % 60
    hour = (i // 3600) % 24
    return {
        "direction": direction,
        "startTime": f"2024-09-16T{hour:02d}:{minute:02d}:{sec:02d}.{i % 1000:03d}+0000",
        "subscriberParty": {
            "domain": "software.tango-networks",
            "mobile": SUBSCRIBER,
            "did": SUBSCRIBER,
            "subrId": "s021157",
        },
        "otherParty": {"number": other},
        "message": f"Message number {i} 😀",
        "messageType": "sms",
        "messageContentType": "text/plain; charset=UTF-8",
    }


def sms_file_bytes(i: int, **kw: Any) -> bytes:
    return json.dumps({"smsEvent": [sms_event(i, **kw)]}, indent=3).encode("utf-8")


@dataclass
class Corpus:
    folder: Path  # 6 SMS files (3 conversations), 1 malformed, 1 .DS_Store
    zip_path: Path  # 3 new SMS files + 1 copy of a folder file
    single: Path  # one more SMS file on its own
    files_in_folder: int = 8
    good_in_folder: int = 6
    names: dict[str, str] = field(default_factory=dict)


OTHERS = ("12145555273", "447700900123", "13125550100")


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qapp: Any) -> Iterator[None]:
    """As in the app: cyclic garbage is collected on the GUI thread only, never by a worker
    thread that happens to allocate (which could destroy GUI objects from that thread)."""
    from msgcopy_viewer.ui.gc_guard import MainThreadGarbageCollector
    from msgcopy_viewer.ui.mms.part_actions import release_clipboard_file_link

    collector = MainThreadGarbageCollector()
    yield
    release_clipboard_file_link()  # as the app does when it closes
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    folder = root / "offload"
    (folder / "sub").mkdir(parents=True)
    for i in range(6):
        target = folder / ("sub" if i >= 4 else "") / f"msg_{i:03d}.json"
        direction = "mo" if i % 2 == 0 else "mt"
        target.write_bytes(sms_file_bytes(i, other=OTHERS[i % 3], direction=direction))
    (folder / "broken.json").write_bytes(b'{"smsEvent": [ {"direction": "mo", ')
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    zip_path = root / "more.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        for i in range(100, 103):
            zf.writestr(f"batch/msg_{i}.json", sms_file_bytes(i, other="447700900999"))
        zf.writestr("batch/copy_of_0.json", sms_file_bytes(0, other=OTHERS[0]))
    single = root / "single.json"
    single.write_bytes(sms_file_bytes(500, other="13125550199"))
    return Corpus(folder=folder, zip_path=zip_path, single=single)


def write_many(folder: Path, n: int) -> Path:
    """``n`` tiny SMS files (distinct events, a handful of conversations)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"m{i:05d}.json").write_bytes(
            sms_file_bytes(1000 + i, other=OTHERS[i % 3], direction="mo" if i % 2 else "mt")
        )
    return folder


# -- message boxes ----------------------------------------------------------------------------
@dataclass
class Box:
    icon: QMessageBox.Icon
    title: str
    text: str
    informative: str
    details: str


class BoxCapture:
    """Replaces ``dialogs.run_box``: records each message box and answers it at once."""

    def __init__(self) -> None:
        self.boxes: list[Box] = []
        self.answer = QMessageBox.StandardButton.Yes

    def __call__(self, box: QMessageBox) -> int:
        self.boxes.append(
            Box(
                box.icon(), box.windowTitle(), box.text(), box.informativeText(), box.detailedText()
            )
        )
        box.deleteLater()
        if box.standardButtons() & self.answer:
            return int(self.answer.value)
        return int(QMessageBox.StandardButton.Ok.value)

    def titles(self) -> list[str]:
        return [b.title for b in self.boxes]


@pytest.fixture(autouse=True)
def boxes(monkeypatch: pytest.MonkeyPatch) -> BoxCapture:
    from msgcopy_viewer.ui.widgets import dialogs

    capture = BoxCapture()
    monkeypatch.setattr(dialogs, "run_box", capture)
    return capture


# -- the window -------------------------------------------------------------------------------
@pytest.fixture
def make_window(qtbot: Any, data_dir: Path) -> Iterator[Any]:
    from msgcopy_viewer.ui.main_window import MainWindow
    from msgcopy_viewer.ui.workers.import_worker import running_worker_threads

    windows: list[MainWindow] = []

    def make(**kw: Any) -> MainWindow:
        kw.setdefault("import_workers", 1)
        w = MainWindow(data_dir, **kw)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
        w.shutdown()
    assert running_worker_threads() == 0, "a worker thread is still running"


@pytest.fixture
def window(make_window: Any) -> Any:
    return make_window()


class RefreshSpy:
    """Wraps ``window.browser.refresh`` (real or fake) and records its calls."""

    def __init__(self, browser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[set[str] | None] = []
        original = browser.refresh

        def spy(touched: set[str] | None = None) -> None:
            self.calls.append(None if touched is None else set(touched))
            original(touched)

        monkeypatch.setattr(browser, "refresh", spy)

    def touched(self) -> set[str]:
        result: set[str] = set()
        for c in self.calls:
            result |= c or set()
        return result


@pytest.fixture
def refresh_spy(window: Any, monkeypatch: pytest.MonkeyPatch) -> RefreshSpy:
    return RefreshSpy(window.browser, monkeypatch)


# -- a demo case, generated once per run --------------------------------------------------------
@pytest.fixture(scope="session")
def demo_case_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo case (400 messages: SMS, MMS, groups, several subscribers). Tests must
    not change it."""
    from msgcopy_viewer.demo.generator import generate_demo
    from msgcopy_viewer.ingest.pipeline import Importer

    root = tmp_path_factory.mktemp("demo-case")
    corpus = root / "corpus"
    corpus.mkdir()
    generate_demo(corpus, messages=400, seed=1)
    case = root / "demo.mcase"
    Importer(case, origin="demo", workers=1).run([corpus])
    return case


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pretend the screen's usable area is 1280×720 (a common laptop)."""
    from PySide6.QtCore import QRect

    from msgcopy_viewer.ui import screen_fit

    area = QRect(0, 0, 1280, 720)
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(area))
    return area
