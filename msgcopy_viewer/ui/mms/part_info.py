"""How the MMS viewer names, files and decodes a stored part (``store.messages.Part``)."""

from __future__ import annotations

import mimetypes

from msgcopy_viewer.core.media_types import EXTENSIONS
from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.messages import Part


def part_description(part: Part) -> str:
    """E.g. ``photo.jpg · image/jpeg · 120 KB``."""
    return f"{part.label} · {part.media_type} · {human_size(part.size)}"


def suggested_filename(part: Part) -> str:
    """A file name for saving (still to be made safe by :func:`part_actions.safe_name`)."""
    if part.name:
        return part.name
    mtype = part.media_type.lower()
    ext = EXTENSIONS.get(mtype) or mimetypes.guess_extension(mtype) or ""
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
