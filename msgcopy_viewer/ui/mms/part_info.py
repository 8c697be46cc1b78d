"""How the MMS viewer names, files and decodes a stored part (``store.messages.Part``)."""

from __future__ import annotations

import mimetypes

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.messages import Part

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


def image_format(part: Part) -> bytes | None:
    """The Qt image format to decode this part with, or None when it is not an image."""
    for mtype in (part.detected_type, part.content_type):
        if mtype and mtype.lower() in IMAGE_FORMATS:
            return IMAGE_FORMATS[mtype.lower()]
    return None


def part_description(part: Part) -> str:
    """E.g. ``photo.jpg · image/jpeg · 120 KB``."""
    return f"{part.label} · {part.media_type} · {human_size(part.size)}"


def suggested_filename(part: Part) -> str:
    """A file name for saving (still to be made safe by :func:`part_actions.safe_name`)."""
    if part.name:
        return part.name
    mtype = part.media_type.lower()
    ext = _EXTENSIONS.get(mtype) or mimetypes.guess_extension(mtype) or ""
    if part.kind == "contact":
        ext = ".vcf"
    return f"part-{part.index + 1}{ext or '.bin'}"


def format_ms(ms: int) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration in milliseconds."""
    seconds = max(0, int(ms) // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
