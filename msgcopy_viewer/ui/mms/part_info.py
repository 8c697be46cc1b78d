"""Plain facts about the parts of a stored MMS (no widgets; read from the ``mms`` JSON)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

#: Image types this viewer decodes, and the Qt image format used for each. Only these
#: are handed to QImageReader (with format auto-detection off), so message content can
#: never reach an unexpected image plugin (SVG, PDF, TIFF...).
IMAGE_FORMATS: dict[str, bytes] = {
    "image/png": b"png",
    "image/x-png": b"png",
    "image/jpeg": b"jpeg",
    "image/jpg": b"jpeg",
    "image/pjpeg": b"jpeg",
    "image/gif": b"gif",
    "image/bmp": b"bmp",
    "image/x-bmp": b"bmp",
    "image/x-ms-bmp": b"bmp",
    "image/webp": b"webp",
    "image/vnd.wap.wbmp": b"wbmp",
    "image/wbmp": b"wbmp",
    "image/heic": b"heic",
    "image/heif": b"heif",
    "image/heic-sequence": b"heic",
    "image/heif-sequence": b"heif",
    "image/avif": b"avif",
}

VCARD_TYPES = {"text/x-vcard", "text/vcard", "text/directory", "text/x-vcalendar-vcard"}

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/webp": ".webp",
    "image/vnd.wap.wbmp": ".wbmp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "audio/amr": ".amr",
    "audio/amr-wb": ".awb",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/3gpp": ".3gp",
    "audio/midi": ".mid",
    "video/3gpp": ".3gp",
    "video/3gpp2": ".3g2",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
    "text/vcard": ".vcf",
    "text/x-vcard": ".vcf",
    "application/smil": ".smil",
}


@dataclass(frozen=True, slots=True)
class PartInfo:
    """One decoded part, as stored in the message's ``mms`` JSON."""

    index: int
    content_type: str
    detected_type: str | None
    name: str | None
    content_id: str | None
    content_location: str | None
    charset: str | None
    size: int
    sha256: str
    is_smil: bool
    in_smil: bool
    is_vcard: bool = False

    @classmethod
    def from_json(cls, obj: dict[str, Any], *, vcard_parts: frozenset[int]) -> PartInfo:
        index = int(obj.get("index", 0))
        ctype = str(obj.get("content_type") or "application/octet-stream").lower()
        detected = obj.get("detected_type")
        name = obj.get("name")
        is_vcard = (
            index in vcard_parts
            or ctype in VCARD_TYPES
            or detected == "text/vcard"
            or bool(name and str(name).lower().endswith(".vcf"))
        )
        return cls(
            index=index,
            content_type=ctype,
            detected_type=str(detected).lower() if detected else None,
            name=str(name) if name else None,
            content_id=obj.get("content_id"),
            content_location=obj.get("content_location"),
            charset=obj.get("charset"),
            size=int(obj.get("size") or 0),
            sha256=str(obj.get("sha256") or ""),
            is_smil=bool(obj.get("is_smil")),
            in_smil=bool(obj.get("in_smil")),
            is_vcard=is_vcard,
        )

    @property
    def media_type(self) -> str:
        """The type to render as: the sniffed type when there is one, else the declared one."""
        detected = self.detected_type
        if detected and detected.split("/", 1)[0] in ("image", "audio", "video"):
            return detected
        return self.content_type

    @property
    def kind(self) -> str:
        """``image``, ``audio``, ``video``, ``text``, ``vcard``, ``smil`` or ``other``."""
        if self.is_smil:
            return "smil"
        if self.is_vcard:
            return "vcard"
        mtype = self.media_type
        family = mtype.split("/", 1)[0]
        if family in ("image", "audio", "video"):
            return family
        if mtype == "text/plain":
            return "text"
        if mtype == "application/smil":
            return "smil"
        return "other"

    @property
    def image_format(self) -> bytes | None:
        """The Qt image format to decode this part with, or None when it is not an image."""
        for mtype in (self.detected_type, self.content_type):
            if mtype and mtype in IMAGE_FORMATS:
                return IMAGE_FORMATS[mtype]
        return None

    @property
    def label(self) -> str:
        return self.name or f"Part {self.index + 1}"

    @property
    def description(self) -> str:
        """E.g. ``photo.jpg · image/jpeg · 120 KB``."""
        return f"{self.label} · {self.media_type} · {human_size(self.size)}"

    def suggested_filename(self) -> str:
        """A file name for saving (still to be made safe by :func:`part_actions.safe_name`)."""
        if self.name:
            return self.name
        ext = _EXTENSIONS.get(self.media_type) or mimetypes.guess_extension(self.media_type) or ""
        if self.kind == "vcard":
            ext = ".vcf"
        return f"part-{self.index + 1}{ext or '.bin'}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def parts_of(mms: dict[str, Any] | None) -> list[PartInfo]:
    """The message's parts in document order."""
    if not mms:
        return []
    vcard_parts = frozenset(
        int(c["part"]) for c in mms.get("contacts") or [] if c.get("part") is not None
    )
    return [PartInfo.from_json(p, vcard_parts=vcard_parts) for p in mms.get("parts") or []]


def format_ms(ms: int) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration in milliseconds."""
    seconds = max(0, int(ms) // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
