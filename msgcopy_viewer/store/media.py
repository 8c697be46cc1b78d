"""Reading a stored part's bytes (the ``media`` table holds each distinct payload once,
by SHA-256)."""

from __future__ import annotations

import sqlite3


def media_bytes(
    conn: sqlite3.Connection, sha256: str, *, max_size: int | None = None
) -> bytes | None:
    """The bytes stored under ``sha256``; None when there are none, or when they are larger
    than ``max_size`` (so a caller with a budget never loads them)."""
    if max_size is None:
        row = conn.execute("SELECT data FROM media WHERE sha256 = ?", (sha256,)).fetchone()
    else:
        row = conn.execute(
            "SELECT data FROM media WHERE sha256 = ? AND size <= ?", (sha256, max_size)
        ).fetchone()
    return None if row is None else bytes(row[0])
