"""Sizes of files and parts as people read them: ``512 bytes``, ``12 KB``, ``3.4 MB``."""

from __future__ import annotations

__all__ = ["human_size"]

_LARGE_UNITS = ("MB", "GB", "TB")


def human_size(n: int) -> str:
    """``n`` bytes for a reader: bytes below 1 KB, whole kilobytes below 1 MB, then one
    decimal (``1 byte``, ``1023 bytes``, ``1 KB``, ``12 KB``, ``1.5 MB``, ``2.0 GB``);
    units of 1,024. A value never shows as 1024 of a unit."""
    if n < 1024:
        return "1 byte" if n == 1 else f"{n} bytes"
    kb = n / 1024
    if round(kb) < 1024:
        return f"{kb:.0f} KB"
    size = kb
    for unit in _LARGE_UNITS:
        size /= 1024
        if round(size, 1) < 1024 or unit == _LARGE_UNITS[-1]:
            break
    return f"{size:.1f} {unit}"
