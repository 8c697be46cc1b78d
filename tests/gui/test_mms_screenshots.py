"""Screenshots of the MMS viewer for reviewers.

PNGs go to ``docs/screenshots/`` only when ``MSGCOPY_SCREENSHOTS=1``; otherwise into the
test's temporary folder. Each is checked not to be blank.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.gui.mms_helpers import (
    import_message,
    jpeg_bytes,
    mm7,
    open_viewer,
    part,
    smil,
    text_part,
    vcard,
    wait_images,
    wav_bytes,
)

pytestmark = pytest.mark.gui
__all__ = ["open_viewer"]  # fixture

REPO = Path(__file__).resolve().parents[2]


def _out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MSGCOPY_SCREENSHOTS") == "1":
        out = REPO / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def _assert_not_blank(path: Path) -> None:
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 200 and image.height() > 200
    small = image.scaled(64, 64)
    colours = {small.pixel(x, y) for x in range(64) for y in range(64)}
    assert len(colours) > 8, f"{path.name} looks blank"


def _shoot(qtbot, dialog, path: Path) -> None:
    dialog.resize(760, 860)
    wait_images(qtbot, dialog)
    qtbot.waitUntil(lambda: all(p.state != "loading" for p in dialog.ctx.players), timeout=8000)
    dialog.grab().save(str(path))
    _assert_not_blank(path)


def test_screenshots(qtbot, tmp_path: Path, open_viewer) -> None:
    out = _out_dir(tmp_path)
    # 1. image + text
    message, ctype = mm7(
        [part("image/jpeg", jpeg_bytes(7), "img1", "IMG_2041.jpg"), text_part("At the lake!")],
        smil([[("img", "img1", "Image"), ("text", "text1", "Text")]]),
        subject="Saturday",
    )
    case_path, rowid = import_message(tmp_path / "1", message, ctype)
    _shoot(qtbot, open_viewer(case_path, rowid), out / "mms-image-text.png")

    # 2. group MMS (To, Cc) with two slides
    message, ctype = mm7(
        [
            part("image/jpeg", jpeg_bytes(8), "img1", "team.jpg"),
            text_part("Lunch at noon?", "text1"),
            text_part("I'll book a table.", "text2"),
        ],
        smil([[("img", "img1", "Image"), ("text", "text1", "Text")], [("text", "text2", "Text")]]),
        subject="Team lunch",
        sender="+12145550111",
        to=["+12145550100", "+12145550122", "+447700900123"],
        cc=["+12145550133"],
    )
    case_path, rowid = import_message(tmp_path / "2", message, ctype)
    _shoot(qtbot, open_viewer(case_path, rowid), out / "mms-group.png")

    # 3. contact card
    card = vcard(
        "Maria Lopez", "+12145550177", photo=jpeg_bytes(9), org="Lopez & Sons",
        email="maria@example.com",
    )  # fmt: skip
    message, ctype = mm7(
        [part("text/x-vcard", card, "vc1", "Maria Lopez.vcf"), text_part("Her number")],
        smil([[("ref", "vc1", None), ("text", "text1", "Text")]]),
    )
    case_path, rowid = import_message(tmp_path / "3", message, ctype)
    _shoot(qtbot, open_viewer(case_path, rowid), out / "mms-contact-card.png")

    # 4. audio player
    message, ctype = mm7(
        [part("audio/wav", wav_bytes(4.0), "aud1", "voice-note.wav"), text_part("Listen")],
        smil([[("audio", "aud1", None), ("text", "text1", "Text")]]),
        subject="Voice note",
    )
    case_path, rowid = import_message(tmp_path / "4", message, ctype)
    _shoot(qtbot, open_viewer(case_path, rowid), out / "mms-audio.png")
