"""A case whose gallery holds many distinct images, built in seconds (tests and
``benchmarks/workbench.py``).

One MMS with a picture goes through the real importer; its message row and its image part
are then copied ``count - 1`` times with new ids, times and a different small PNG each (so
every thumbnail is a separate decode: the cache cannot hide a decode behind a shared
SHA-256). The copies are what an import would store for those MMS, apart from the raw
events (a copy keeps the template's), which the gallery does not read.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.case import Case
from tests.gui.mms_helpers import mm7, mms_event, part, text_part
from tests.integration.vendor import write


def tiny_png(n: int, size: int = 16) -> bytes:
    """A ``size``×``size`` PNG of one colour that no other ``n`` below 2**24 has."""
    rgb = bytes(((n * 73) % 256, (n // 256 * 151 + n) % 256, (n // 65536 * 97 + 31) % 256))
    raw = b"".join(b"\x00" + rgb * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def build_gallery_case(folder: Path, count: int) -> Path:
    """A case in ``folder`` with ``count`` MMS, one distinct PNG each (a minute apart)."""
    src = folder / "src"
    message, mtype = mm7([part("image/png", tiny_png(0), "img0", "photo.png"), text_part("pic")])
    write(src / "mms.json", mms_event(message, mtype))
    path = folder / "gallery.mcase"
    Importer(path, workers=1).run([src])
    with Case.open(path) as case:
        conn = case.conn
        cols = [r[1] for r in conn.execute("PRAGMA table_info(messages)")]
        template = conn.execute(f"SELECT {', '.join(cols)} FROM messages").fetchone()
        row = dict(zip(cols, template, strict=True))
        image = conn.execute(
            "SELECT * FROM mms_parts WHERE message_rowid = ? AND content_type = 'image/png'",
            (row["rowid"],),
        ).fetchone()
        part_cols = [r[1] for r in conn.execute("PRAGMA table_info(mms_parts)")]
        part_row = dict(zip(part_cols, image, strict=True))
        messages, parts, media = [], [], []
        for n in range(1, count):
            data = tiny_png(n)
            sha = hashlib.sha256(data).hexdigest()
            m = dict(row)
            m["rowid"] = row["rowid"] + n
            m["id"] = hashlib.sha256(f"{row['id']}/{n}".encode()).hexdigest()[:24]
            m["fingerprint"] = hashlib.sha256(f"{row['fingerprint']}/{n}".encode()).hexdigest()
            m["start_ms"] = row["start_ms"] + n * 60_000
            m["source_index"] = n
            messages.append(tuple(m[c] for c in cols))
            p = dict(part_row)
            p["message_rowid"] = m["rowid"]
            p["sha256"], p["size"] = sha, len(data)
            parts.append(tuple(p[c] for c in part_cols))
            media.append((sha, len(data), data))
        with case.transaction() as tx:
            tx.executemany("INSERT INTO media(sha256, size, data) VALUES (?, ?, ?)", media)
            tx.executemany(
                f"INSERT INTO messages({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                messages,
            )
            tx.executemany(
                f"INSERT INTO mms_parts({', '.join(part_cols)}) "
                f"VALUES ({', '.join('?' * len(part_cols))})",
                parts,
            )
            tx.execute(
                "UPDATE conversations SET message_count = ?, mms_count = ?, last_ms = ?, "
                "last_rowid = ? WHERE id = ?",
                (count, count, row["start_ms"] + (count - 1) * 60_000,
                 row["rowid"] + count - 1, row["conversation_id"]),
            )  # fmt: skip
    return path
