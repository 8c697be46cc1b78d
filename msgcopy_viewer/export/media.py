"""Extract MMS parts to a folder with SHA-256 and CSV manifests (``extract-media``).

Layout: ``DIR/<message id>/<index>-<safe name>`` for every non-SMIL part, then
``DIR/manifest.sha256`` (``sha256sum -c`` format) and ``DIR/manifest.csv``.
The folder is built under a temporary name beside ``DIR`` and renamed into
place at the end, so an interrupted extraction never leaves a half-written
folder that looks complete.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.media_types import EXTENSIONS
from msgcopy_viewer.core.text_safety import safe_file_name
from msgcopy_viewer.export.message_view import decode_text
from msgcopy_viewer.export.outdir import ExportError, building_dir
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Message, Part, iter_messages, load_messages

RESERVED_NAMES = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
MAX_NAME_BYTES = 120
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')

MANIFEST_COLUMNS = (
    "file", "sha256", "size", "content_type", "detected_type", "part_index", "part_name",
    "message_id", "conversation_id", "start_time", "source_path", "source_sha256",
)  # fmt: skip


# What stops an extraction (a folder that exists, missing or damaged bytes): the exports'
# one error type, under the name the callers of extract-media know.
MediaExportError = ExportError


@dataclass(slots=True)
class MediaExportResult:
    outdir: Path
    files: int
    bytes: int


def safe_filename(name: str | None, index: int, content_type: str) -> str:
    """``<index>-<name>`` that is a plain file name on every OS: no folders, no control or
    reserved characters, no reserved device names, bounded length, extension kept."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    # controls, invisible and bidi characters as visible tokens (⟦U+202E⟧), not dropped
    base = safe_file_name(unicodedata.normalize("NFC", base))
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if stem.split(".")[0].upper() in RESERVED_NAMES:
        stem = "_" + stem
    if not stem:
        stem = "part"
    if not ext:
        ext = EXTENSIONS.get(content_type, ".bin").lstrip(".")
    ext = ext[:16]
    while len(f"{index}-{stem}.{ext}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{index}-{stem}.{ext}"


def _unique(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, dot, ext = name.rpartition(".")
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({n}).{ext}" if dot else folder / f"{name} ({n})"
        n += 1
    return candidate


def extract_media(
    case: Case, outdir: Path, conversation_id: str | None = None
) -> MediaExportResult:
    """Every non-SMIL part of every MMS (or one conversation's)."""
    pairs = (
        (m, part)
        for m in iter_messages(case.conn, conversation_id, mms_only=True)
        for part in m.parts
        if not part.is_smil
    )
    return _extract(case, outdir, pairs)


def extract_selected(
    case: Case, outdir: Path, selection: Sequence[tuple[int, int]]
) -> MediaExportResult:
    """The chosen parts, given as (message rowid, part index) — the media gallery's
    selection — in the same layout and with the same manifests as ``extract_media``."""
    wanted: dict[int, set[int]] = {}
    for rowid, index in selection:
        wanted.setdefault(int(rowid), set()).add(int(index))
    messages = load_messages(case.conn, list(wanted))
    found = {(m.rowid, p.index) for m in messages for p in m.parts}
    missing = [s for s in selection if (int(s[0]), int(s[1])) not in found]
    if missing:
        raise MediaExportError(
            f"message row {missing[0][0]} has no part {missing[0][1]} in this case"
        )
    pairs = ((m, p) for m in messages for p in m.parts if p.index in wanted[m.rowid])
    return _extract(case, outdir, pairs)


def _extract(case: Case, outdir: Path, pairs: Iterable[tuple[Message, Part]]) -> MediaExportResult:
    """Write the parts into a new folder (built beside it and renamed into place)."""
    with building_dir(outdir) as work:
        writer = MediaFiles(case, work, folder="")
        for m, part in pairs:
            writer.path_for(m, part)
        writer.write_manifests()
    return MediaExportResult(outdir=Path(outdir).absolute(), files=writer.files, bytes=writer.bytes)


class MediaFiles:
    """MMS parts written once each into a folder (``<folder>/<message id>/<index>-<safe
    name>``), checked against their recorded SHA-256, with ``manifest.sha256`` and
    ``manifest.csv`` beside them: ``extract-media`` (folder ``""``) and the reports' media
    folder, whose pages link to ``path_for``."""

    def __init__(
        self, case: Case, root: Path, folder: str = "media", redactor: Redactor = NO_REDACTION
    ) -> None:
        self.case = case
        self.root = Path(root)
        self.folder = folder
        self.redactor = redactor
        self._written: dict[tuple[str, int], str] = {}
        self._rows: list[tuple[object, ...]] = []
        self.files = 0
        self.bytes = 0
        self.withheld = 0
        self._texts: dict[str, str] = {}

    def bytes_of(self, m: Message, part: Part) -> bytes:
        data = self.case.media_bytes(part.sha256)
        if data is None:
            raise MediaExportError(
                f"the case is missing the bytes of part {part.index} of message {m.id} "
                f"(sha256 {part.sha256}); run an integrity check"
            )
        if hashlib.sha256(data).hexdigest() != part.sha256:
            raise MediaExportError(
                f"part {part.index} of message {m.id} does not match its recorded SHA-256: "
                "the case file is damaged"
            )
        return data

    def text_of(self, m: Message, part: Part) -> str:
        """A text part decoded with its charset (kept for the pages that show it again)."""
        cached = self._texts.get(part.sha256)
        if cached is None:
            if len(self._texts) > 2000:
                self._texts.clear()
            cached = self._texts[part.sha256] = decode_text(self.bytes_of(m, part), part.charset)
        return cached

    def path_for(self, m: Message, part: Part) -> str | None:
        """The part's path relative to the report root (None when redaction withholds it).
        ``m`` and ``part`` are the redacted objects (names are already safe to show)."""
        key = (m.id, part.index)
        if key in self._written:
            return self._written[key]
        if not self.redactor.keeps_part(part):
            self.withheld += 1
            return None
        data = self.bytes_of(m, part)
        folder = self.root / self.folder / m.id
        folder.mkdir(parents=True, exist_ok=True)
        target = _unique(folder, safe_filename(part.name, part.index, part.content_type))
        with open(target, "xb") as fh:
            fh.write(data)
        rel = target.relative_to(self.root).as_posix()
        self._written[key] = rel
        self.files += 1
        self.bytes += len(data)
        self._rows.append(
            (
                target.relative_to(self.root / self.folder).as_posix(),
                part.sha256,
                len(data),
                part.content_type,
                part.detected_type,
                part.index,
                part.name,
                m.id,
                m.conversation_id,
                format_utc_ms(m.start_ms),
                m.source.path,
                m.source.sha256,
            )
        )
        return rel

    def write_all(self, m: Message) -> None:
        for part in m.parts:
            if not part.is_smil:
                self.path_for(m, part)

    def write_manifests(self) -> None:
        """``manifest.sha256`` and ``manifest.csv`` inside the media folder (paths relative
        to it), as ``extract-media`` writes them."""
        folder = self.root / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "manifest.sha256", "w", encoding="utf-8", newline="\n") as fh:
            for row in self._rows:
                fh.write(f"{row[1]}  {row[0]}\n")
        with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(MANIFEST_COLUMNS)
            writer.writerows(self._rows)
