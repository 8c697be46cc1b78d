"""Magic-byte sniffing of MMS media.

:func:`sniff` looks only at the first bytes of a payload and returns a MIME type
for the formats phones put into MMS, or ``None`` when it does not recognise
them.  It never raises.

:func:`decodable_image_format` is the one rule for which image bytes from message
content may ever be handed to an image decoder: PNG, JPEG, GIF, BMP and WebP, told
apart by their magic bytes (never by the type a part declares). SVG, PDF, TIFF, HEIC,
WBMP and everything else are refused: each is a large parser (or, for SVG, one that
would fetch from the network) that nothing in an MMS needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "DECODABLE_IMAGE_FORMATS",
    "EXTENSIONS",
    "VCARD_TYPES",
    "decodable_image_format",
    "is_media_type",
    "part_kind",
    "sniff",
    "sniff_wbmp",
]

#: The image types whose bytes may be decoded, and the decoder's name for each format.
DECODABLE_IMAGE_FORMATS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "image/png": "png",
        "image/jpeg": "jpeg",
        "image/gif": "gif",
        "image/bmp": "bmp",
        "image/webp": "webp",
    }
)

_ISO_BMFF_HEIF_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"hevc": "image/heic-sequence",
    b"hevx": "image/heic-sequence",
    b"mif1": "image/heif",
    b"msf1": "image/heif-sequence",
    b"avif": "image/avif",
    b"avis": "image/avif",
}


def _sniff_ftyp(data: bytes) -> str | None:
    brand = data[8:12]
    if brand in _ISO_BMFF_HEIF_BRANDS:
        return _ISO_BMFF_HEIF_BRANDS[brand]
    low = brand.lower()
    if low.startswith(b"3g2"):
        return "video/3gpp2"
    if low.startswith(b"3g"):
        return "video/3gpp"
    if brand in (b"M4A ", b"M4B ", b"M4P "):
        return "audio/mp4"
    if brand == b"qt  ":
        return "video/quicktime"
    return "video/mp4"


def _is_mp3_frame(data: bytes) -> bool:
    if len(data) < 4 or data[0] != 0xFF or (data[1] & 0xE0) != 0xE0:
        return False
    version = (data[1] >> 3) & 0x03
    layer = (data[1] >> 1) & 0x03
    bitrate = data[2] >> 4
    sample_rate = (data[2] >> 2) & 0x03
    return version != 1 and layer != 0 and bitrate not in (0, 15) and sample_rate != 3


def sniff(data: bytes) -> str | None:
    """Return the MIME type recognised from ``data``'s magic bytes, or ``None``."""
    head = bytes(data[:64])
    if len(head) < 2:
        return None
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"WEBP":
            return "image/webp"
        if kind == b"WAVE":
            return "audio/wav"
        if kind == b"AVI ":
            return "video/x-msvideo"
        return None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if head.startswith(b"#!AMR-WB"):
        return "audio/amr-wb"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"MThd"):
        return "audio/midi"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:11].upper() == b"BEGIN:VCARD":
        return "text/vcard"
    if stripped[:15].upper() == b"BEGIN:VCALENDAR":
        return "text/calendar"
    if _is_mp3_frame(head):
        return "audio/mpeg"
    return None


def decodable_image_format(data: bytes) -> str | None:
    """The format (``png``, ``jpeg``, ``gif``, ``bmp``, ``webp``) that ``data``'s magic
    bytes show, when it is one that may be decoded; None for anything else."""
    kind = sniff(data)
    return None if kind is None else DECODABLE_IMAGE_FORMATS.get(kind)


def sniff_wbmp(data: bytes) -> bool:
    """Weak WBMP check (type 0 header, multi-byte width/height, matching size).

    WBMP has no magic number, so only use this when the part is declared as WBMP.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        return False
    pos = 2
    dims: list[int] = []
    for _ in range(2):
        value = 0
        for _i in range(4):
            if pos >= len(data):
                return False
            byte = data[pos]
            pos += 1
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        else:
            return False
        dims.append(value)
    width, height = dims
    if width == 0 or height == 0:
        return False
    return len(data) - pos == ((width + 7) // 8) * height


def is_media_type(content_type: str | None) -> bool:
    """True for image/*, audio/* and video/* types."""
    if not content_type:
        return False
    return content_type.split("/", 1)[0] in ("image", "audio", "video")


VCARD_TYPES = frozenset({"text/x-vcard", "text/vcard", "text/directory", "text/x-vcalendar-vcard"})


def part_kind(
    content_type: str,
    detected_type: str | None,
    name: str | None,
    is_smil: bool,
    has_contact: bool,
) -> str:
    """What an MMS part is, for every reader: ``smil``, ``contact``, ``image``, ``audio``,
    ``video``, ``text`` or ``file``.

    The sniffed type wins for media (a JPEG declared ``application/octet-stream`` is an
    image); a part is a contact card when a card was read from it, or its declared or
    sniffed type or its name says vCard.
    """
    declared = (content_type or "").lower()
    detected = (detected_type or "").lower()
    if is_smil or declared == "application/smil":
        return "smil"
    if (
        has_contact
        or declared in VCARD_TYPES
        or detected in VCARD_TYPES
        or (name or "").lower().endswith(".vcf")
    ):
        return "contact"
    family = detected.split("/", 1)[0] if detected else ""
    media = detected if family in ("image", "audio", "video") else declared
    top = media.split("/", 1)[0]
    if top in ("image", "audio", "video"):
        return top
    if media.startswith("text/plain"):
        return "text"
    return "file"


# File name extensions for saved or extracted parts, by (lower-case) media type.
EXTENSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
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
)
