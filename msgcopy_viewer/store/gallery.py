"""The media of a case for the gallery: every image and video part, newest first.

Paged with a keyset on (message start, message rowid, part index), descending. The SQL
picks parts whose declared or sniffed type is an image or a video; ``Part.kind`` (the one
rule for what a part is) then decides, so the gallery shows exactly what the bubbles show
as images and video chips.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from msgcopy_viewer.store.messages import Part

GalleryKey = tuple[int, int, int]  # (start_ms, message rowid, part index)
KINDS = ("image", "video")


@dataclass(frozen=True, slots=True)
class GalleryItem:
    part: Part
    message_rowid: int
    message_id: str
    conversation_id: str
    participants: tuple[str, ...]
    start_ms: int
    direction: str
    sender: str | None
    other_party: str

    @property
    def key(self) -> GalleryKey:
        return (self.start_ms, self.message_rowid, self.part.index)

    @property
    def kind(self) -> str:
        return self.part.kind

    @property
    def who(self) -> str:
        """Who sent it, as shown: the subscriber for a sent message."""
        return "Sent" if self.direction == "mo" else (self.sender or self.other_party)


_CANDIDATE = (
    "p.is_smil = 0 AND (p.content_type LIKE 'image/%' OR p.content_type LIKE 'video/%' "
    "OR p.detected_type LIKE 'image/%' OR p.detected_type LIKE 'video/%')"
)


def media_page(
    conn: sqlite3.Connection,
    *,
    conversation_id: str | None = None,
    before: GalleryKey | None = None,
    limit: int = 200,
) -> tuple[list[GalleryItem], GalleryKey | None]:
    """Up to ``limit`` candidate parts older than ``before`` and the key to continue from
    (None at the end). Fewer items than ``limit`` may come back with a key: parts whose
    kind is neither image nor video are skipped after reading."""
    # Newest messages first along a time index (so a page reads the few thousand newest
    # messages, not every part of the case sorted), keeping the MMS with pictures.
    where = ["m.type = 'mms'", _CANDIDATE]
    args: list[Any] = []
    index = "messages_by_time"
    if conversation_id is not None:
        index = "messages_by_conversation"
        where.append("m.conversation_id = ?")
        args.append(conversation_id)
    if before is not None:
        where.append("m.start_ms <= ? AND (m.start_ms, m.rowid, p.idx) < (?, ?, ?)")
        args.extend([int(before[0]), *(int(v) for v in before)])
    args.append(int(limit))
    rows = conn.execute(
        "SELECT p.message_rowid, p.idx, p.content_type, p.detected_type, p.name, p.content_id, "
        "p.content_location, p.charset, p.size, p.sha256, p.in_smil, m.id, m.conversation_id, "
        "c.participants, m.start_ms, m.direction, m.sender, m.other_party "
        f"FROM messages m INDEXED BY {index} JOIN mms_parts p ON p.message_rowid = m.rowid "
        "JOIN conversations c ON c.id = m.conversation_id WHERE "
        + " AND ".join(where)
        + " ORDER BY m.start_ms DESC, m.rowid DESC, p.idx DESC LIMIT ?",
        args,
    ).fetchall()
    items: list[GalleryItem] = []
    for r in rows:
        part = Part(
            index=int(r[1]),
            content_type=str(r[2] or ""),
            detected_type=r[3],
            name=r[4],
            content_id=r[5],
            content_location=r[6],
            charset=r[7],
            size=int(r[8]),
            sha256=str(r[9]),
            is_smil=False,
            in_smil=bool(r[10]),
        )
        if part.kind not in KINDS:
            continue
        try:
            participants = tuple(str(p) for p in json.loads(r[13]))
        except (TypeError, ValueError):
            participants = ()
        items.append(
            GalleryItem(
                part=part,
                message_rowid=int(r[0]),
                message_id=str(r[11]),
                conversation_id=str(r[12]),
                participants=participants,
                start_ms=int(r[14]),
                direction=str(r[15]),
                sender=r[16],
                other_party=str(r[17]),
            )
        )
    nxt: GalleryKey | None = None
    if len(rows) == limit:
        last = rows[-1]
        nxt = (int(last[14]), int(last[0]), int(last[1]))
    return items, nxt
