"""Save, save all, copy and open-externally for the parts of an MMS.

Files are written with exclusive creation (never overwriting: `` (2)``, `` (3)``…
are added), under names made safe from the untrusted part names, and never outside
the chosen folder. "Save all" also writes ``manifest.sha256`` in ``sha256sum -c``
format. "Open externally" and "Copy" of a non-text, non-image part hand out a
*private temporary copy* (a 0700 folder made with :mod:`tempfile`), never a path to
the evidence itself.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.core.text_safety import safe_file_name
from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Part
from msgcopy_viewer.ui.mms.image_loader import decode_image
from msgcopy_viewer.ui.mms.part_info import suggested_filename

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.sha256"
MAX_NAME_CHARS = 120
_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}  # fmt: skip
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_name(name: str | None, fallback: str = "part.bin") -> str:
    """A file name that stays inside its folder on every platform.

    Drops any directory part (``/``, ``\\``), reserved characters, leading dots and
    trailing dots/spaces, Windows device names; shows control, invisible and bidi
    characters as tokens (``invoice⟦U+202E⟧gpj.exe``: a spoofed name stays visible);
    caps the length (keeping the extension). Falls back to ``fallback`` when nothing
    usable is left.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").split("/")[-1]
    text = safe_file_name(text)
    text = text.strip().lstrip(".").rstrip(". ")
    if not text:
        text = fallback if fallback != name else "part.bin"
        text = _UNSAFE.sub("_", text).strip().lstrip(".") or "part.bin"
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if stem.lower() in _RESERVED or text.lower() in _RESERVED:
        text = "_" + text
        stem = "_" + stem
    if len(text) > MAX_NAME_CHARS:
        ext = ext[:16]
        keep = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
        text = stem[:keep] + (f".{ext}" if ext else "")
    return text


def _numbered(name: str, n: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"


def write_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to a new file named ``name`` in ``folder`` (`` (2)`` etc. if taken).

    Never overwrites and never follows a planted symlink (exclusive creation). Raises
    OSError when the folder cannot be written.
    """
    folder = folder.resolve()
    name = safe_name(name)
    for n in range(1, 10_000):
        candidate = folder / (name if n == 1 else _numbered(name, n))
        if candidate.parent != folder:  # pragma: no cover - safe_name forbids separators
            raise OSError(f"refusing to write outside {folder}: {candidate}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o644)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            try:
                candidate.unlink()
            except OSError:
                pass
            raise
        return candidate
    raise OSError(f"too many files named like {name} in {folder}")


_O_BINARY = getattr(os, "O_BINARY", 0)


_clipboard_file_link: QMimeData | None = None


def release_clipboard_file_link() -> None:
    """Clear the clipboard if it still holds a link to one of our private copies.

    Called when the app closes: the private copies are deleted then, so the link would
    point at nothing; and Qt crashes at exit when the clipboard still owns a QMimeData
    made from Python."""
    global _clipboard_file_link
    if _clipboard_file_link is None:
        return
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None and clipboard.mimeData() is _clipboard_file_link:
        clipboard.clear()
    _clipboard_file_link = None


@dataclass(slots=True)
class SaveAllResult:
    folder: Path
    files: list[Path] = field(default_factory=list)
    manifest: Path | None = None
    missing: list[str] = field(default_factory=list)  # labels of parts whose bytes are absent


def save_all_to(case: Case, parts: Sequence[Part], folder: Path) -> SaveAllResult:
    """Write every part into ``folder`` plus a ``manifest.sha256`` that ``sha256sum -c``
    accepts (hashes computed from the bytes written)."""
    folder = Path(folder).resolve()
    result = SaveAllResult(folder)
    lines: list[str] = []
    for part in parts:
        data = case.media_bytes(part.sha256) if part.sha256 else None
        if data is None:
            result.missing.append(part.label)
            continue
        path = write_new_file(folder, safe_name(suggested_filename(part), _fallback(part)), data)
        digest = hashlib.sha256(data).hexdigest()
        if part.sha256 and digest != part.sha256:
            log.warning("part %s: stored hash %s, bytes hash %s", part.index, part.sha256, digest)
        result.files.append(path)
        lines.append(f"{digest}  {path.name}\n")
    manifest_data = "".join(lines).encode("utf-8")
    result.manifest = write_new_file(folder, MANIFEST_NAME, manifest_data)
    return result


def _fallback(part: Part) -> str:
    return f"part-{part.index + 1}.bin"


# --------------------------------------------------------------------------- private temp

_temp_lock = threading.Lock()
_temp_root: Path | None = None


def private_temp_dir() -> Path:
    """This process's private temporary folder (mode 0700), removed at exit."""
    global _temp_root
    with _temp_lock:
        if _temp_root is None or not _temp_root.is_dir():
            _temp_root = Path(tempfile.mkdtemp(prefix="msgcopy-viewer-"))
            os.chmod(_temp_root, 0o700)
            atexit.register(shutil.rmtree, _temp_root, True)
        return _temp_root


def private_copy(part: Part, data: bytes) -> Path:
    """A private temporary copy of a part's bytes, in its own 0700 sub-folder."""
    sub = Path(tempfile.mkdtemp(prefix="part-", dir=private_temp_dir()))
    os.chmod(sub, 0o700)
    path = write_new_file(sub, safe_name(suggested_filename(part), _fallback(part)), data)
    os.chmod(path, 0o600)
    return path


# --------------------------------------------------------------------------- GUI actions


class PartActions(QObject):
    """The user-facing actions, bound to one open case (read-only) and one message."""

    #: A short plain-language report of the last action, for a status line.
    status = Signal(str)

    #: How URLs are opened; tests replace it to avoid launching programs.
    open_url: Callable[[QUrl], bool] = staticmethod(QDesktopServices.openUrl)

    def __init__(
        self, case: Case, parts: Sequence[Part], parent_widget: QWidget | None = None
    ) -> None:
        super().__init__(parent_widget)
        self._case = case
        self._parts = list(parts)
        self._widget = parent_widget

    @property
    def parts(self) -> list[Part]:
        return list(self._parts)

    def data(self, part: Part) -> bytes | None:
        return self._case.media_bytes(part.sha256) if part.sha256 else None

    def _missing(self, part: Part) -> None:
        self._error(f"The bytes of {part.label} are not in the case.")

    def _error(self, text: str) -> None:
        self.status.emit(text)
        if self._widget is not None and self._widget.isVisible():
            QMessageBox.warning(self._widget, "MMS part", text)

    # -- save -------------------------------------------------------------------------------
    def save(self, part: Part) -> Path | None:
        """Ask where to save one part, then save it (never overwriting)."""
        start = str(Path.home() / safe_name(suggested_filename(part), _fallback(part)))
        path, _flt = QFileDialog.getSaveFileName(self._widget, f"Save {part.label}", start)
        if not path:
            return None
        return self.save_to(part, Path(path))

    def save_to(self, part: Part, path: Path) -> Path | None:
        data = self.data(part)
        if data is None:
            self._missing(part)
            return None
        try:
            written = write_new_file(path.parent, path.name, data)
        except OSError as exc:
            self._error(f"Could not save {part.label}: {exc.strerror or exc}")
            return None
        self.status.emit(f"Saved {part.label} as {written}")
        return written

    def save_all(self) -> SaveAllResult | None:
        folder = QFileDialog.getExistingDirectory(self._widget, "Save all parts into folder")
        if not folder:
            return None
        return self.save_all_to(Path(folder))

    def save_all_to(self, folder: Path) -> SaveAllResult | None:
        try:
            result = save_all_to(self._case, self._parts, folder)
        except OSError as exc:
            self._error(f"Could not save the parts: {exc.strerror or exc}")
            return None
        text = f"Saved {counted(len(result.files), 'part')} and {MANIFEST_NAME} in {result.folder}"
        if result.missing:
            text += f"; missing from the case: {', '.join(result.missing)}"
        self.status.emit(text)
        return result

    # -- copy -------------------------------------------------------------------------------
    def copy(self, part: Part) -> bool:
        data = self.data(part)
        if data is None:
            self._missing(part)
            return False
        clipboard = QGuiApplication.clipboard()
        if part.kind == "image":
            image, _size, _anim, _err = decode_image(data)
            if image is not None:
                clipboard.setImage(image)
                self.status.emit(f"Copied the image {part.label}")
                return True
        if part.kind in ("text", "smil") or (
            part.kind == "contact" and part.media_type.startswith("text/")
        ):
            from msgcopy_viewer.core.vcard import decode_charset

            clipboard.setText(decode_charset(data, part.charset))
            self.status.emit(f"Copied the text of {part.label}")
            return True
        try:
            path = private_copy(part, data)
        except OSError as exc:
            self._error(f"Could not copy {part.label}: {exc.strerror or exc}")
            return False
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        clipboard.setMimeData(mime)
        global _clipboard_file_link
        _clipboard_file_link = mime
        self.status.emit(f"Copied {part.label} as a file ({human_size(len(data))})")
        return True

    # -- open externally --------------------------------------------------------------------
    def open_externally(self, part: Part) -> Path | None:
        data = self.data(part)
        if data is None:
            self._missing(part)
            return None
        try:
            path = private_copy(part, data)
        except OSError as exc:
            self._error(f"Could not prepare {part.label}: {exc.strerror or exc}")
            return None
        if not type(self).open_url(QUrl.fromLocalFile(str(path))):
            self._error(f"No program is set up to open {part.media_type} files.")
        else:
            self.status.emit(f"Opened a private copy of {part.label}")
        return path
