"""Shared test data for the browse/search tests: a case built through the real import path.

One session-wide build (the demo generator's corpus plus a hand-written conversation of
``BIG`` messages over several days, one MMS-free, one with a unique word), copied into
each test's ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


SUB = "19465559040"
BIG_OTHER = "12145555273"
BIG = 600
NEEDLE_INDEX = 250  # the message with the unique word, in the middle of the big thread
NEEDLE = "zebrafishlantern"
DAY0_MS = 1726444800000  # 2024-09-16T00:00:00Z


def big_event(i: int) -> dict[str, Any]:
    ms = DAY0_MS + i * 17 * 60 * 1000  # every 17 minutes: ~7 days for 600 messages
    secs, millis = divmod(ms, 1000)
    import time

    t = time.gmtime(secs)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{millis:03d}+0000"
    text = f"Big thread message {i}"
    if i == NEEDLE_INDEX:
        text = f"The {NEEDLE} is in the hallway, call me"
    return {
        "direction": "mo" if i % 3 else "mt",
        "startTime": stamp,
        "subscriberParty": {
            "domain": "software.tango-networks",
            "mobile": SUB,
            "did": SUB,
            "subrId": "s021157",
        },
        "otherParty": {"number": BIG_OTHER},
        "message": text,
        "messageType": "sms",
        "messageContentType": "text/plain; charset=UTF-8",
    }


def write_big_thread(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # a few files, several events each (like platform batches)
    for f in range(0, BIG, 100):
        doc = {"smsEvent": [big_event(i) for i in range(f, min(BIG, f + 100))]}
        (folder / f"big-{f:04d}.json").write_text(json.dumps(doc), encoding="utf-8")


def build_case(dest: Path) -> Path:
    from msgcopy_viewer.demo.generator import generate_demo
    from msgcopy_viewer.ingest.pipeline import Importer

    src = dest / "src"
    generate_demo(src / "demo", messages=300, seed=1)
    write_big_thread(src / "big")
    case = dest / "browse.mcase"
    Importer(case, workers=1).run([src])
    return case


def copy_case(master: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case.mcase"
    shutil.copyfile(master, target)
    for suffix in ("-wal", "-shm"):
        side = Path(str(master) + suffix)
        if side.exists():
            shutil.copyfile(side, Path(str(target) + suffix))
    return target


# -- fixtures (import them into a test module to use them) ------------------------------------
import pytest  # noqa: E402


@pytest.fixture(scope="module")
def browse_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_case(tmp_path_factory.mktemp("browse-master"))


@pytest.fixture
def browse_case(browse_master: Path, tmp_path: Path) -> Path:
    return copy_case(browse_master, tmp_path)


@pytest.fixture
def browser(qtbot, browse_case: Path):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThreadPool

    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.browser import Browser

    tz = TimeZoneSettings("UTC")
    b = Browser(tz)
    qtbot.addWidget(b)
    b.resize(1500, 850)
    b.show()
    qtbot.waitExposed(b)
    b.set_case(browse_case)
    yield b
    b.shutdown()
    QThreadPool.globalInstance().waitForDone()


def big_conversation_id(conn) -> str:  # type: ignore[no-untyped-def]
    return str(
        conn.execute(
            "SELECT id FROM conversations WHERE participants LIKE ?", (f"%{BIG_OTHER}%",)
        ).fetchone()[0]
    )


def needle_rowid(conn) -> int:  # type: ignore[no-untyped-def]
    return int(
        conn.execute("SELECT rowid FROM messages WHERE text LIKE ?", (f"%{NEEDLE}%",)).fetchone()[0]
    )
