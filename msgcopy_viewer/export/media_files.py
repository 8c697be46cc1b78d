"""MMS parts written once into a report's media folder, for pages that link to them.

``MediaFiles.path_for`` writes a part the first time a page needs it
(``media/<message id>/<index>-<safe name>``, names made safe as ``extract-media`` does)
and returns the path relative to the report; ``write_manifests`` adds the same
``manifest.sha256``/``manifest.csv`` as ``extract-media``. Bytes are checked against
their recorded SHA-256 as they are written.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.export.media import (
    MANIFEST_COLUMNS,
    MediaExportError,
    _unique,
    safe_filename,
)
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Message, Part


class MediaFiles:
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
