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
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.media_types import EXTENSIONS
from msgcopy_viewer.core.text_safety import safe_file_name
from msgcopy_viewer.export.atomic import current_umask
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


class MediaExportError(Exception):
    """The extraction cannot be done; ``str()`` says why in plain words."""


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
    outdir = Path(outdir).absolute()
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise MediaExportError(
            f"{outdir} already exists and is not an empty folder; "
            "give a new folder (nothing is ever overwritten)"
        )
    if not outdir.parent.is_dir():
        raise MediaExportError(f"the folder {outdir.parent} does not exist")
    try:
        work = Path(
            tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".partial", dir=outdir.parent)
        )
    except OSError as exc:
        raise MediaExportError(f"cannot write in {outdir.parent}: {exc.strerror or exc}") from exc
    os.chmod(
        work, 0o777 & ~current_umask()
    )  # mkdtemp makes it private; the result is an ordinary folder
    files = 0
    total = 0
    try:
        manifest_rows: list[tuple[object, ...]] = []
        for m, part in pairs:
            folder = work / m.id
            data = case.media_bytes(part.sha256)
            if data is None:
                raise MediaExportError(
                    f"the case is missing the bytes of part {part.index} of message "
                    f"{m.id} (sha256 {part.sha256}); run an integrity check"
                )
            if hashlib.sha256(data).hexdigest() != part.sha256:
                raise MediaExportError(
                    f"part {part.index} of message {m.id} does not match its recorded "
                    "SHA-256: the case file is damaged"
                )
            folder.mkdir(exist_ok=True)
            target = _unique(folder, safe_filename(part.name, part.index, part.content_type))
            with open(target, "xb") as fh:  # never overwrite
                fh.write(data)
            rel = target.relative_to(work).as_posix()
            manifest_rows.append(
                (
                    rel,
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
            files += 1
            total += len(data)
        with open(work / "manifest.sha256", "w", encoding="utf-8", newline="\n") as fh:
            for row in manifest_rows:
                fh.write(f"{row[1]}  {row[0]}\n")
        with open(work / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(MANIFEST_COLUMNS)
            writer.writerows(manifest_rows)
        if outdir.exists():
            outdir.rmdir()
        os.replace(work, outdir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return MediaExportResult(outdir=outdir, files=files, bytes=total)
