"""``msgcopy-viewer selftest``: does this installation work, end to end, on this machine?

In a temporary folder it generates one MMS (a JPEG, a text and a WAV sound on one SMIL
slide, written by
the project's own MM7 writer), imports it into a new case through the real import path,
checks what was decoded and stored against what was written, renders the first slide with
the app's MMS viewer on Qt's offscreen platform (the picture decoded, the sound loaded by
Qt Multimedia's backend, ready to play), and exports the message (JSON Lines and
the media folder with its manifest). Each step prints one line; the first failure stops
the run with a plain reason and exit status 1. Nothing outside the temporary folder is
touched, and no display is needed.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

SUBSCRIBER = "12145550100"
OTHER = "+12145550111"
TEXT = "msgcopy-viewer selftest: one picture, one line of text."


class SelftestError(Exception):
    """A step failed; the message says what was expected and what was found."""


class _Run:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.started = time.monotonic()

    def step(self, name: str, check: Callable[[], str]) -> None:
        try:
            detail = check()
        except SelftestError as exc:
            raise SelftestError(f"{name}: {exc}") from exc
        except Exception as exc:  # anything else is reported, with its type, as a failure
            raise SelftestError(f"{name}: {type(exc).__name__}: {exc}") from exc
        self.out.write(f"ok  {name}: {detail}\n")
        self.out.flush()


def _mms_event(jpeg: bytes, wav: bytes) -> dict[str, object]:
    from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

    smil = (
        '<smil><head><layout><root-layout width="320" height="480"/>'
        '<region id="Image" top="0" left="0" height="67%" width="100%" fit="meet"/>'
        '<region id="Text" top="67%" left="0" height="33%" width="100%" fit="scroll"/>'
        '</layout></head><body><par dur="5000ms"><img src="cid:picture" region="Image"/>'
        '<text src="cid:text1" region="Text"/><audio src="cid:sound"/></par></body></smil>'
    )
    parts = [
        Mm7Part("image/jpeg", jpeg, "picture", "picture.jpg", "picture.jpg", None, "base64"),
        Mm7Part("text/plain", TEXT.encode(), "text1", "text1.txt", "text1.txt", "utf-8", "base64"),
        Mm7Part("audio/wav", wav, "sound", "sound.wav", "sound.wav", None, "base64"),
    ]
    smil_part = Mm7Part(
        "application/smil", smil.encode(), "smil", "mms.smil", "mms.smil", "utf-8", "8bit"
    )
    message, content_type = build_mm7(
        direction="mt",
        sender=OTHER,
        to=["+" + SUBSCRIBER],
        subject="selftest",
        timestamp=datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        smil=smil_part,
        parts=parts,
        token="5e1f7e575e1f7e575e1f7e57",
        transaction_id="selftest-1",
    )
    return {
        "direction": "mt",
        "startTime": "2024-07-01T12:00:00.000+0000",
        "subscriberParty": {"domain": "selftest.invalid", "mobile": SUBSCRIBER},
        "otherParty": {"number": OTHER},
        "message": message,
        "messageType": "mms",
        "messageContentType": content_type,
    }


def run(out: IO[str], workdir: Path) -> None:
    """Run every step in ``workdir`` (an empty folder); raises SelftestError on failure."""
    from msgcopy_viewer.demo import media
    from msgcopy_viewer.demo.generator import write_event_file

    r = _Run(out)
    inbox, case_path = workdir / "inbox", workdir / "selftest.mcase"
    jpeg = media.make_jpeg(random.Random("selftest"))
    jpeg_sha = hashlib.sha256(jpeg).hexdigest()
    wav = media.make_wav(random.Random("selftest"), 1.0)
    state: dict[str, Any] = {}

    def make_case() -> str:
        from msgcopy_viewer.store.case import Case

        with Case.open(case_path, create=True) as case:
            version = case.schema_version()
        return f"{case_path.name} (schema version {version})"

    def generate() -> str:
        inbox.mkdir()
        write_event_file(inbox / "selftest-mms.json", _mms_event(jpeg, wav))
        return f"one MMS: a {len(jpeg)}-byte JPEG, a text, a {len(wav)}-byte WAV"

    def import_it() -> str:
        from msgcopy_viewer.ingest.pipeline import Importer

        report = Importer(case_path, workers=1).run([inbox])
        if report.rejected:
            raise SelftestError(f"the file was rejected: {report.rejected[0].reason}")
        if (report.files_imported, report.messages_imported) != (1, 1):
            raise SelftestError(
                f"expected 1 file and 1 message imported, got {report.files_imported} "
                f"files and {report.messages_imported} messages"
            )
        return "1 file, 1 message"

    def decode() -> str:
        from msgcopy_viewer.store.case import Case
        from msgcopy_viewer.store.messages import iter_messages

        with Case.open(case_path, create=False, readonly=True) as case:
            rows = list(iter_messages(case.conn))
            if len(rows) != 1 or rows[0].type != "mms" or rows[0].envelope is None:
                raise SelftestError("the case does not hold one decoded MMS")
            row, envelope = rows[0], rows[0].envelope
            picture = next((p for p in row.parts if p.content_type == "image/jpeg"), None)
            if picture is None or picture.sha256 != jpeg_sha:
                raise SelftestError("the JPEG part is missing or its SHA-256 differs")
            if case.media_bytes(jpeg_sha) != jpeg:
                raise SelftestError("the stored JPEG bytes differ from the original")
            if not any(p.kind == "audio" for p in row.parts):
                raise SelftestError("the WAV part was not recognised as a sound")
            if TEXT not in row.text:
                raise SelftestError(f"the message text is {row.text!r}, not the text part")
            if len(envelope.slides) != 1:
                raise SelftestError(f"expected 1 slide, found {len(envelope.slides)}")
            state["rowid"], state["id"] = row.rowid, row.id
        return f"{len(row.parts)} parts, 1 slide, SHA-256 of the picture matches"

    def render() -> str:
        try:
            from msgcopy_viewer.ui.slide_render import SlideRenderError, render_first_slide
        except ImportError as exc:
            raise SelftestError(f"Qt cannot be loaded: {exc}") from exc
        png = workdir / "slide-1.png"
        try:
            result = render_first_slide(case_path, state["rowid"], png)
        except SlideRenderError as exc:
            said = "".join(f"\n    Qt: {m}" for m in exc.qt_messages)
            raise SelftestError(f"{exc}{said}") from exc
        if result.image_states != ["image"]:
            raise SelftestError(f"the picture was not shown (state: {result.image_states})")
        if result.colours < 16:
            raise SelftestError(f"the rendered slide is blank ({result.colours} colours)")
        if not any(TEXT in t for t in result.texts):
            raise SelftestError("the slide does not show the text part")
        if [state for state, _msg in result.players] != ["ready"]:
            said = "; ".join(f"{state}: {msg}" for state, msg in result.players)
            qt_said = "".join(f"\n    Qt: {m}" for m in result.qt_messages)
            raise SelftestError(f"the sound is not ready to play ({said or 'no player'}){qt_said}")
        return (
            f"{result.width}×{result.height} px, {result.colours} colours, "
            "picture shown, sound ready to play"
        )

    def export() -> str:
        from msgcopy_viewer.export.jsonl import write_jsonl
        from msgcopy_viewer.export.media import extract_media
        from msgcopy_viewer.store.case import Case

        jsonl = workdir / "messages.jsonl"
        with Case.open(case_path, create=False, readonly=True) as case:
            with jsonl.open("w", encoding="utf-8", newline="") as fh:
                count = write_jsonl(case, fh)
            result = extract_media(case, workdir / "media")
        lines = jsonl.read_text(encoding="utf-8").splitlines()
        if count != 1 or len(lines) != 1 or json.loads(lines[0])["id"] != state["id"]:
            raise SelftestError("the JSON Lines export does not hold the message")
        manifest = (result.outdir / "manifest.sha256").read_text(encoding="utf-8").splitlines()
        for line in manifest:
            digest, name = line.split("  ", 1)
            if hashlib.sha256((result.outdir / name).read_bytes()).hexdigest() != digest:
                raise SelftestError(f"{name} does not match its manifest entry")
        if not any(line.startswith(jpeg_sha) for line in manifest):
            raise SelftestError("the picture is not among the extracted media")
        return f"1 message as JSON Lines, {result.files} media files matching their manifest"

    r.step("case", make_case)
    r.step("generate", generate)
    r.step("import", import_it)
    r.step("decode", decode)
    r.step("render", render)
    r.step("export", export)
    out.write(f"selftest passed ({time.monotonic() - r.started:.1f} s)\n")


def main(out: IO[str], err: IO[str]) -> int:
    """Run the selftest in a temporary folder; 0 when it passes, 1 (and why) when not."""
    with tempfile.TemporaryDirectory(prefix="msgcopy-viewer-selftest-") as tmp:
        try:
            run(out, Path(tmp))
        except SelftestError as exc:
            err.write(f"msgcopy-viewer: selftest failed at {exc}\n")
            return 1
    return 0
