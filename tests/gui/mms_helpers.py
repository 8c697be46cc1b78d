"""Building MMS messages for the viewer tests, imported through the real import path.

Messages are vendor Message Copy JSON files (one ``mms`` event each) whose ``message``
is an MM7 multipart — either built here with the project's own MM7 writer, or a real
sample from ``shared/corpus`` (read at test time, never copied into the repository).
"""

from __future__ import annotations

import io
import random
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from msgcopy_viewer.demo import media
from msgcopy_viewer.demo.generator import write_event_file
from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7
from msgcopy_viewer.ingest.pipeline import Importer

CORPUS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
SKIP_REASON = (
    "optional real-world corpus (MM7/SMIL/vCard samples) not found at ../shared/corpus "
    "beside the repository root: these conformance tests run only where it is present"
)
SUBSCRIBER = "12145550100"


WHEN = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def corpus_file(*parts: str) -> Path:
    """A file of the shared corpus; skips the test when the corpus is absent."""
    path = CORPUS_DIR.joinpath("real", *parts)
    if not (CORPUS_DIR / "real").is_dir():
        pytest.skip(SKIP_REASON)
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the shared corpus")
    return path


def mms_event(
    message: str,
    content_type: str,
    *,
    direction: str = "mt",
    other: str = "+12145550111",
    seconds: int = 0,
) -> dict[str, object]:
    return {
        "direction": direction,
        "startTime": f"2024-07-01T12:00:{seconds % 60:02d}.000+0000",
        "subscriberParty": {
            "domain": "example.test",
            "mobile": SUBSCRIBER,
            "did": "12145550199",
            "subrId": "sub-1",
        },
        "otherParty": {"number": other},
        "message": message,
        "messageType": "mms",
        "messageContentType": content_type,
    }


def smil(
    slides: Sequence[Sequence[tuple[str, str, str | None]]],
    *,
    root: tuple[int, int] = (320, 480),
    regions: str | None = None,
    durations: Sequence[int | None] | None = None,
) -> Mm7Part:
    """A SMIL part. ``slides``: per slide, (tag, content-id, region or None)."""
    if regions is None:
        regions = (
            '<region id="Image" top="0" left="0" height="67%" width="100%" fit="meet"/>'
            '<region id="Text" top="67%" left="0" height="33%" width="100%" fit="scroll"/>'
        )
    body = []
    for n, slide in enumerate(slides):
        dur = durations[n] if durations is not None else 5000
        attr = f' dur="{dur}ms"' if dur else ""
        items = "".join(
            f'<{tag} src="cid:{cid}"' + (f' region="{reg}"' if reg else "") + "/>"
            for tag, cid, reg in slide
        )
        body.append(f"<par{attr}>{items}</par>")
    text = (
        f'<smil><head><layout><root-layout width="{root[0]}" height="{root[1]}"/>{regions}'
        f"</layout></head><body>{''.join(body)}</body></smil>"
    )
    return Mm7Part(
        "application/smil", text.encode(), "smil", "mms.smil", "mms.smil", "utf-8", "8bit"
    )


def part(
    ctype: str, data: bytes, cid: str, name: str | None = None, charset: str | None = None
) -> Mm7Part:
    return Mm7Part(ctype, data, cid, name or cid, name or cid, charset, "base64")


def text_part(text: str, cid: str = "text1") -> Mm7Part:
    return Mm7Part(
        "text/plain", text.encode("utf-8"), cid, f"{cid}.txt", f"{cid}.txt", "utf-8", "base64"
    )


def mm7(
    parts: Sequence[Mm7Part],
    smil_part: Mm7Part | None = None,
    *,
    subject: str | None = None,
    sender: str = "+12145550111",
    to: Sequence[str] = ("+" + SUBSCRIBER,),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    token: str = "a1b2c3d4e5f6a1b2c3d4e5f6",
    direction: str = "mt",
) -> tuple[str, str]:
    return build_mm7(
        direction=direction,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        timestamp=WHEN,
        smil=smil_part,
        parts=parts,
        token=token,
        transaction_id="T1",
    )


def import_events(
    tmp_path: Path, events: Sequence[dict[str, object]], name: str = "case.mcase"
) -> Path:
    """Write each event as a Message Copy file and import them; returns the case path."""
    folder = tmp_path / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    for n, event in enumerate(events):
        write_event_file(folder / f"event-{n:04d}.json", event)
    case_path = tmp_path / name
    Importer(case_path, workers=1).run([folder])
    return case_path


def import_message(
    tmp_path: Path, message: str, content_type: str, **kw: object
) -> tuple[Path, int]:
    case_path = import_events(tmp_path, [mms_event(message, content_type, **kw)])  # type: ignore[arg-type]
    return case_path, mms_rowids(case_path)[0]


def mms_rowids(case_path: Path) -> list[int]:
    conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT rowid FROM messages WHERE type = 'mms' ORDER BY start_ms, rowid"
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def png_bytes(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def image_bytes(fmt: str, width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    img = Image.new("RGB", (width, height), (30, 120, 200))
    img.save(buf, fmt)
    return buf.getvalue()


def wbmp_bytes(width: int = 16, height: int = 8) -> bytes:
    row = bytes([0b10101010] * ((width + 7) // 8))
    return bytes([0, 0, width, height]) + row * height


def jpeg_bytes(seed: int = 1) -> bytes:
    return media.make_jpeg(random.Random(seed))


def gif_bytes(seed: int = 1) -> bytes:
    return media.make_animated_gif(random.Random(seed), frames=3)


def wav_bytes(seconds: float = 1.0) -> bytes:
    return media.make_wav(random.Random(3), seconds)


def vcard(
    name: str,
    tel: str,
    *,
    photo: bytes | None = None,
    org: str | None = None,
    email: str | None = None,
) -> bytes:
    import base64

    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{name}",
        f"N:{name.split()[-1]};{name.split()[0]};;;",
    ]
    if org:
        lines.append(f"ORG:{org}")
    lines.append(f"TEL;TYPE=CELL:{tel}")
    if email:
        lines.append(f"EMAIL:{email}")
    lines.append("ADR;TYPE=HOME:;;1 Main St;Dallas;TX;75201;USA")
    if photo:
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(photo).decode())
    lines.append("END:VCARD")
    return ("\r\n".join(lines) + "\r\n").encode()


def wait_images(qtbot, dialog, timeout: int = 5000) -> None:  # type: ignore[no-untyped-def]
    """Wait until every image view of the dialog has a result (image, movie or failed)."""
    qtbot.waitUntil(lambda: all(v.state != "loading" for v in dialog.ctx.images), timeout=timeout)


def rowids_by_source(case_path: Path) -> dict[str, int]:
    """MMS rowid by the relative path of the file it was imported from."""
    conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT m.rowid, s.path FROM messages m JOIN source_files s "
            "ON s.id = m.source_file_id WHERE m.type = 'mms'"
        ).fetchall()
    finally:
        conn.close()
    return {path: rowid for rowid, path in rows}


@pytest.fixture
def open_viewer(qtbot):  # type: ignore[no-untyped-def]
    """Factory opening MmsViewerDialog; closes them and checks no thread is left running."""
    from PySide6.QtCore import QThreadPool

    from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

    dialogs: list[MmsViewerDialog] = []

    def _open(case_path: Path, rowid: int, *, show: bool = True) -> MmsViewerDialog:
        dialog = MmsViewerDialog(case_path, rowid)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        if show:
            dialog.show()
        return dialog

    yield _open
    for dialog in dialogs:
        dialog.close()
        dialog.shutdown()
        if dialog.loader is not None:
            assert dialog.loader.pool.activeThreadCount() == 0
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The project's demo corpus (300 messages, seed 1) imported into a case."""
    from msgcopy_viewer.demo.generator import generate_demo

    base = tmp_path_factory.mktemp("demo")
    summary = generate_demo(base / "in", messages=300, seed=1)
    case_path = base / "demo.mcase"
    Importer(case_path, workers=1).run([base / "in"])
    return case_path, summary, rowids_by_source(case_path)
