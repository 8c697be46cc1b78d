"""What the examiner adds to a case: tags, notes, bookmarks, and the audit log of it all.

Qt-free; the CLI (``annotate_cli``) and the app use the same functions. Annotations live in
tables of their own (``tags``, ``message_tags``, ``conversation_tags``, ``notes``,
``bookmarks``, ``audit_log``; see docs/case-format.md) and never touch imported rows.

Every change runs in one transaction with its audit log rows: who (the examiner's name),
when, what (``action`` and ``target``) and the value before and after. Changes that affect
many messages (tagging ten thousand selected messages) are one transaction with one audit
row per message, and return exactly the messages they changed, so that undoing the action
changes back those and no others.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.store.case import Case, CaseError, now_ms
from msgcopy_viewer.store.messages import Message, messages_from_rows, select_sql

# Audit actions (docs/case-format.md lists them with their before/after values).
TAG_ADD = "tag.add"
TAG_REMOVE = "tag.remove"
CONV_TAG_ADD = "conversation_tag.add"
CONV_TAG_REMOVE = "conversation_tag.remove"
NOTE_SET = "note.set"
BOOKMARK_ADD = "bookmark.add"
BOOKMARK_REMOVE = "bookmark.remove"
TAG_CREATE = "taglist.create"
TAG_UPDATE = "taglist.update"
TAG_DELETE = "taglist.delete"
NAME_SET = "name.set"

MAX_TAG_NAME = 64
MAX_EXAMINER = 200
MAX_NOTE = 20_000
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CHUNK = 500
_TAGGED_AMONG = (
    "SELECT message_rowid FROM message_tags WHERE tag_id = ? AND message_rowid IN ({marks})"
)


class AnnotationError(CaseError):
    """A request the examiner can correct (unknown tag or message, bad name or colour)."""


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    name: str
    color: str  # #rrggbb
    position: int


@dataclass(frozen=True, slots=True)
class TagCount:
    tag: Tag
    messages: int
    conversations: int


@dataclass(frozen=True, slots=True)
class Marks:
    """A message's annotations, as a page of the thread or an export carries them."""

    tags: tuple[Tag, ...] = ()
    note: str | None = None
    bookmarked: bool = False

    @property
    def empty(self) -> bool:
        return not self.tags and self.note is None and not self.bookmarked


NO_MARKS = Marks()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_ms: int
    examiner: str
    action: str
    target: str
    before: str | None
    after: str | None


# -- helpers ----------------------------------------------------------------------------------


def _chunks(values: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _examiner(name: str) -> str:
    """The examiner's name as the audit log records it with every change: a line of at
    most ``MAX_EXAMINER`` characters, none invisible or a control (it is in every row)."""
    name = " ".join((name or "").split())
    if not name:
        raise AnnotationError("an examiner name is needed to record who made the change")
    if len(name) > MAX_EXAMINER:
        raise AnnotationError(f"an examiner name has at most {MAX_EXAMINER} characters")
    if any(not ch.isprintable() for ch in name):
        raise AnnotationError(
            "an examiner name cannot contain control or invisible characters "
            f"({show_invisible(name)})"
        )
    return name


def require_writable(case: Case) -> None:
    """Refuse (AnnotationError) a change to a case opened read-only."""
    if case.readonly:
        why = f" ({case.readonly_reason})" if case.readonly_reason else ""
        raise AnnotationError(f"the case {case.path} is read-only{why}: nothing can be changed")


_writable = require_writable


def _audit(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[str, str, str | None, str | None]],
    examiner: str,
    at_ms: int,
) -> None:
    conn.executemany(
        "INSERT INTO audit_log(at_ms, examiner, action, target, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((at_ms, examiner, a, t, b, c) for a, t, b, c in rows),
    )


def _tag(r: Sequence[object]) -> Tag:
    return Tag(id=int(str(r[0])), name=str(r[1]), color=str(r[2]), position=int(str(r[3])))


def _public_ids(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(rowids):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT rowid, id FROM messages WHERE rowid IN ({marks})", chunk):
            out[int(r[0])] = str(r[1])
    return out


def _unique(rowids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(r) for r in rowids))


# -- the tag list -----------------------------------------------------------------------------


def list_tags(conn: sqlite3.Connection) -> list[Tag]:
    """The case's tags in their order (the first nine have shortcuts in the app)."""
    rows = conn.execute("SELECT id, name, color, position FROM tags ORDER BY position, id")
    return [_tag(r) for r in rows]


def get_tag(conn: sqlite3.Connection, name: str) -> Tag | None:
    """The tag called ``name`` (case-insensitive, whitespace collapsed, composed), or None."""
    key = unicodedata.normalize("NFC", " ".join(name.split()))
    r = conn.execute("SELECT id, name, color, position FROM tags WHERE name = ?", (key,)).fetchone()
    return None if r is None else _tag(r)


def require_tag(conn: sqlite3.Connection, name: str) -> Tag:
    tag = get_tag(conn, name)
    if tag is None:
        known = ", ".join(t.name for t in list_tags(conn)) or "none"
        raise AnnotationError(f"no tag {name!r} in this case (its tags: {known})")
    return tag


def _check_name(name: str) -> str:
    # composed (NFC): "Café" typed with a combining accent is the same name, not a second
    # tag that reads the same
    clean = unicodedata.normalize("NFC", " ".join((name or "").split()))
    if not clean:
        raise AnnotationError("a tag needs a name")
    if len(clean) > MAX_TAG_NAME:
        raise AnnotationError(f"a tag name has at most {MAX_TAG_NAME} characters")
    if any(not ch.isprintable() for ch in clean):
        raise AnnotationError("a tag name cannot contain control characters")
    return clean


def _check_color(color: str) -> str:
    if not _COLOR.match(color or ""):
        raise AnnotationError(f"a tag colour is written #rrggbb, not {color!r}")
    return color.lower()


def create_tag(
    case: Case, name: str, color: str, *, examiner: str, position: int | None = None
) -> Tag:
    """Add a tag to the case's list (at its end, or at ``position``: undoing a deletion
    puts the tag back where it was)."""
    _writable(case)
    who = _examiner(examiner)
    clean, col = _check_name(name), _check_color(color)
    with case.transaction() as conn:
        if get_tag(conn, clean) is not None:
            raise AnnotationError(f"the case already has a tag {clean!r}")
        pos = (
            int(position)
            if position is not None
            else int(conn.execute("SELECT coalesce(max(position), 0) + 1 FROM tags").fetchone()[0])
        )
        at = now_ms()
        cur = conn.execute(
            "INSERT INTO tags(name, color, position, created_ms) VALUES (?, ?, ?, ?)",
            (clean, col, pos, at),
        )
        _audit(conn, [(TAG_CREATE, f"tag:{clean}", None, col)], who, at)
        return Tag(id=int(cur.lastrowid or 0), name=clean, color=col, position=pos)


def update_tag(
    case: Case, name: str, *, examiner: str, new_name: str | None = None, color: str | None = None
) -> Tag:
    """Rename a tag or change its colour (its messages keep it)."""
    _writable(case)
    who = _examiner(examiner)
    with case.transaction() as conn:
        tag = require_tag(conn, name)
        renamed = _check_name(new_name) if new_name is not None else tag.name
        col = _check_color(color) if color is not None else tag.color
        other = get_tag(conn, renamed)
        if other is not None and other.id != tag.id:
            raise AnnotationError(f"the case already has a tag {renamed!r}")
        conn.execute("UPDATE tags SET name = ?, color = ? WHERE id = ?", (renamed, col, tag.id))
        _audit(
            conn,
            [(TAG_UPDATE, f"tag:{tag.name}", f"{tag.name} {tag.color}", f"{renamed} {col}")],
            who,
            now_ms(),
        )
        return Tag(id=tag.id, name=renamed, color=col, position=tag.position)


def delete_tag(case: Case, name: str, *, examiner: str) -> int:
    """Remove a tag from the list and from every message and conversation that had it;
    each removal is in the audit log. Returns how many messages had it."""
    _writable(case)
    who = _examiner(examiner)
    with case.transaction() as conn:
        tag = require_tag(conn, name)
        at = now_ms()
        rows = conn.execute(
            "SELECT m.id FROM message_tags t JOIN messages m ON m.rowid = t.message_rowid "
            "WHERE t.tag_id = ?",
            (tag.id,),
        ).fetchall()
        convs = conn.execute(
            "SELECT conversation_id FROM conversation_tags WHERE tag_id = ?", (tag.id,)
        ).fetchall()
        _audit(conn, ((TAG_REMOVE, f"message:{r[0]}", tag.name, None) for r in rows), who, at)
        _audit(
            conn,
            ((CONV_TAG_REMOVE, f"conversation:{r[0]}", tag.name, None) for r in convs),
            who,
            at,
        )
        conn.execute("DELETE FROM message_tags WHERE tag_id = ?", (tag.id,))
        conn.execute("DELETE FROM conversation_tags WHERE tag_id = ?", (tag.id,))
        conn.execute("DELETE FROM tags WHERE id = ?", (tag.id,))
        _audit(conn, [(TAG_DELETE, f"tag:{tag.name}", tag.color, None)], who, at)
        return len(rows)


def tag_counts(conn: sqlite3.Connection) -> list[TagCount]:
    """Every tag with how many messages and conversations carry it, in list order."""
    rows = conn.execute(
        "SELECT t.id, t.name, t.color, t.position, "
        "(SELECT count(*) FROM message_tags mt WHERE mt.tag_id = t.id), "
        "(SELECT count(*) FROM conversation_tags ct WHERE ct.tag_id = t.id) "
        "FROM tags t ORDER BY t.position, t.id"
    )
    return [TagCount(_tag(r), int(r[4]), int(r[5])) for r in rows]


# -- tagging messages -------------------------------------------------------------------------


def _existing(conn: sqlite3.Connection, rowids: Sequence[int], sql: str, arg: object) -> set[int]:
    have: set[int] = set()
    for chunk in _chunks(rowids):
        marks = ",".join("?" * len(chunk))
        have.update(int(r[0]) for r in conn.execute(sql.format(marks=marks), [arg, *chunk]))
    return have


def _check_rowids(ids: dict[int, str], rowids: Sequence[int]) -> None:
    missing = [r for r in rowids if r not in ids]
    if missing:
        raise AnnotationError(f"no message with row id {missing[0]} in this case")


def tag_messages(case: Case, rowids: Iterable[int], tag_name: str, *, examiner: str) -> list[int]:
    """Give ``tag_name`` to the messages; returns those that did not have it (the change)."""
    return _message_tag(case, rowids, tag_name, examiner, add=True)


def untag_messages(case: Case, rowids: Iterable[int], tag_name: str, *, examiner: str) -> list[int]:
    """Take ``tag_name`` from the messages; returns those that had it (the change)."""
    return _message_tag(case, rowids, tag_name, examiner, add=False)


def _message_tag(
    case: Case, rowids: Iterable[int], tag_name: str, examiner: str, *, add: bool
) -> list[int]:
    _writable(case)
    who = _examiner(examiner)
    wanted = _unique(rowids)
    with case.transaction() as conn:
        tag = require_tag(conn, tag_name)
        ids = _public_ids(conn, wanted)
        _check_rowids(ids, wanted)
        had = _existing(conn, wanted, _TAGGED_AMONG, tag.id)
        changed = [r for r in wanted if (r in had) != add]
        at = now_ms()
        if add:
            conn.executemany(
                "INSERT INTO message_tags(message_rowid, tag_id, added_ms) VALUES (?, ?, ?)",
                ((r, tag.id, at) for r in changed),
            )
        else:
            conn.executemany(
                "DELETE FROM message_tags WHERE message_rowid = ? AND tag_id = ?",
                ((r, tag.id) for r in changed),
            )
        before, after = (None, tag.name) if add else (tag.name, None)
        action = TAG_ADD if add else TAG_REMOVE
        _audit(conn, ((action, f"message:{ids[r]}", before, after) for r in changed), who, at)
    return changed


def tag_conversation(case: Case, conversation_id: str, tag_name: str, *, examiner: str) -> bool:
    """Tag a conversation; False when it had the tag already."""
    return _conversation_tag(case, conversation_id, tag_name, examiner, add=True)


def untag_conversation(case: Case, conversation_id: str, tag_name: str, *, examiner: str) -> bool:
    """Take a tag from a conversation; False when it did not have it."""
    return _conversation_tag(case, conversation_id, tag_name, examiner, add=False)


def _conversation_tag(case: Case, cid: str, tag_name: str, examiner: str, *, add: bool) -> bool:
    _writable(case)
    who = _examiner(examiner)
    with case.transaction() as conn:
        tag = require_tag(conn, tag_name)
        if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is None:
            raise AnnotationError(f"no conversation {cid} in this case")
        had = (
            conn.execute(
                "SELECT 1 FROM conversation_tags WHERE conversation_id = ? AND tag_id = ?",
                (cid, tag.id),
            ).fetchone()
            is not None
        )
        if had == add:
            return False
        at = now_ms()
        if add:
            conn.execute(
                "INSERT INTO conversation_tags(conversation_id, tag_id, added_ms) VALUES (?, ?, ?)",
                (cid, tag.id, at),
            )
            _audit(conn, [(CONV_TAG_ADD, f"conversation:{cid}", None, tag.name)], who, at)
        else:
            conn.execute(
                "DELETE FROM conversation_tags WHERE conversation_id = ? AND tag_id = ?",
                (cid, tag.id),
            )
            _audit(conn, [(CONV_TAG_REMOVE, f"conversation:{cid}", tag.name, None)], who, at)
        return True


def conversation_tags_for(
    conn: sqlite3.Connection, conversation_ids: Sequence[str]
) -> dict[str, tuple[Tag, ...]]:
    """The tags of the given conversations (only those that have any), in list order: what
    a page of the conversation list reads with its rows."""
    out: dict[str, list[Tag]] = {}
    ids = list(dict.fromkeys(conversation_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT ct.conversation_id, t.id, t.name, t.color, t.position FROM conversation_tags "
            f"ct JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id IN ({marks}) "
            "ORDER BY t.position, t.id",
            chunk,
        ):
            out.setdefault(str(r[0]), []).append(_tag(r[1:]))
    return {k: tuple(v) for k, v in out.items()}


def tagged_conversations(conn: sqlite3.Connection, tag: Tag) -> list[str]:
    """Ids of the conversations carrying ``tag``, by their last activity (newest first)."""
    rows = conn.execute(
        "SELECT ct.conversation_id FROM conversation_tags ct "
        "LEFT JOIN conversations c ON c.id = ct.conversation_id "
        "WHERE ct.tag_id = ? ORDER BY c.last_ms DESC, ct.conversation_id",
        (tag.id,),
    )
    return [str(r[0]) for r in rows]


def conversation_tags(conn: sqlite3.Connection, conversation_id: str) -> list[Tag]:
    rows = conn.execute(
        "SELECT t.id, t.name, t.color, t.position FROM conversation_tags ct "
        "JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = ? ORDER BY t.position",
        (conversation_id,),
    )
    return [_tag(r) for r in rows]


# -- notes and bookmarks ----------------------------------------------------------------------


def _note_target(conn: sqlite3.Connection, target: str, key: str) -> str:
    if target == "message":
        r = conn.execute("SELECT id FROM messages WHERE rowid = ?", (int(key),)).fetchone()
        if r is None:
            raise AnnotationError(f"no message with row id {key} in this case")
        return f"message:{r[0]}"
    if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (key,)).fetchone() is None:
        raise AnnotationError(f"no conversation {key} in this case")
    return f"conversation:{key}"


def _note_value(text: str | None) -> str | None:
    value = None if text is None or not text.strip() else text.strip("\n")
    if value is not None and len(value) > MAX_NOTE:
        raise AnnotationError(f"a note has at most {MAX_NOTE} characters")
    return value


def _set_notes(
    case: Case, target: str, notes: Sequence[tuple[str, str | None]], examiner: str
) -> dict[str, str | None]:
    """Set each (key, text) note in one transaction; returns each key's note before."""
    _writable(case)
    who = _examiner(examiner)
    values = [(key, _note_value(text)) for key, text in notes]
    befores: dict[str, str | None] = {}
    with case.transaction() as conn:
        at = now_ms()
        for key, value in values:
            label = _note_target(conn, target, key)
            r = conn.execute(
                "SELECT text FROM notes WHERE target = ? AND target_id = ?", (target, key)
            ).fetchone()
            before = befores[key] = None if r is None else str(r[0])
            if before == value:
                continue
            if value is None:
                conn.execute("DELETE FROM notes WHERE target = ? AND target_id = ?", (target, key))
            else:
                conn.execute(
                    "INSERT INTO notes(target, target_id, text, updated_ms) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(target, target_id) DO UPDATE SET text = excluded.text, "
                    "updated_ms = excluded.updated_ms",
                    (target, key, value, at),
                )
            _audit(conn, [(NOTE_SET, label, before, value)], who, at)
    return befores


def set_note(case: Case, rowid: int, text: str | None, *, examiner: str) -> str | None:
    """Set (None or blank: remove) a message's note; returns the note it had."""
    key = str(int(rowid))
    return _set_notes(case, "message", [(key, text)], examiner)[key]


def set_notes(
    case: Case, notes: Mapping[int, str | None], *, examiner: str
) -> dict[int, str | None]:
    """Set the notes of many messages (rowid → text, None or blank removes) in one
    transaction; returns each message's note before (what undoing restores)."""
    got = _set_notes(case, "message", [(str(int(r)), t) for r, t in notes.items()], examiner)
    return {int(k): v for k, v in got.items()}


def set_conversation_note(
    case: Case, conversation_id: str, text: str | None, *, examiner: str
) -> str | None:
    return _set_notes(case, "conversation", [(conversation_id, text)], examiner)[conversation_id]


def get_note(conn: sqlite3.Connection, rowid: int) -> str | None:
    r = conn.execute(
        "SELECT text FROM notes WHERE target = 'message' AND target_id = ?", (str(int(rowid)),)
    ).fetchone()
    return None if r is None else str(r[0])


def conversation_note(conn: sqlite3.Connection, conversation_id: str) -> str | None:
    r = conn.execute(
        "SELECT text FROM notes WHERE target = 'conversation' AND target_id = ?",
        (conversation_id,),
    ).fetchone()
    return None if r is None else str(r[0])


def set_bookmarks(case: Case, rowids: Iterable[int], on: bool, *, examiner: str) -> list[int]:
    """Bookmark (``on``) or un-bookmark the messages; returns those that changed."""
    _writable(case)
    who = _examiner(examiner)
    wanted = _unique(rowids)
    with case.transaction() as conn:
        ids = _public_ids(conn, wanted)
        _check_rowids(ids, wanted)
        have: set[int] = set()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            have.update(
                int(r[0])
                for r in conn.execute(
                    f"SELECT message_rowid FROM bookmarks WHERE message_rowid IN ({marks})", chunk
                )
            )
        at = now_ms()
        rows: list[tuple[str, str, str | None, str | None]]
        if on:
            changed = [r for r in wanted if r not in have]
            conn.executemany(
                "INSERT INTO bookmarks(message_rowid, added_ms) VALUES (?, ?)",
                ((r, at) for r in changed),
            )
            rows = [(BOOKMARK_ADD, f"message:{ids[r]}", None, "bookmarked") for r in changed]
        else:
            changed = [r for r in wanted if r in have]
            conn.executemany(
                "DELETE FROM bookmarks WHERE message_rowid = ?", ((r,) for r in changed)
            )
            rows = [(BOOKMARK_REMOVE, f"message:{ids[r]}", "bookmarked", None) for r in changed]
        _audit(conn, rows, who, at)
    return changed


# -- reading ----------------------------------------------------------------------------------


def marks_for(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, Marks]:
    """The annotations of the given messages (only those that have any), three indexed
    lookups per 500 messages: what a thread page or an export batch reads with its rows."""
    ids = _unique(rowids)
    tags: dict[int, list[Tag]] = {}
    notes: dict[int, str] = {}
    marked: set[int] = set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT mt.message_rowid, t.id, t.name, t.color, t.position FROM message_tags mt "
            f"JOIN tags t ON t.id = mt.tag_id WHERE mt.message_rowid IN ({marks}) "
            "ORDER BY t.position, t.id",
            chunk,
        ):
            tags.setdefault(int(r[0]), []).append(_tag(r[1:]))
        for r in conn.execute(
            "SELECT target_id, text FROM notes WHERE target = 'message' "
            f"AND target_id IN ({marks})",
            [str(c) for c in chunk],
        ):
            notes[int(r[0])] = str(r[1])
        marked.update(
            int(r[0])
            for r in conn.execute(
                f"SELECT message_rowid FROM bookmarks WHERE message_rowid IN ({marks})", chunk
            )
        )
    out: dict[int, Marks] = {}
    for rowid in set(tags) | set(notes) | marked:
        out[rowid] = Marks(
            tags=tuple(tags.get(rowid, ())), note=notes.get(rowid), bookmarked=rowid in marked
        )
    return out


def tagged_rowids(
    conn: sqlite3.Connection, tag: Tag, *, after: int | None = None, limit: int | None = None
) -> list[int]:
    """Rowids of the messages carrying ``tag``, in rowid order, after ``after`` (keyset)."""
    sql = "SELECT message_rowid FROM message_tags WHERE tag_id = ?"
    args: list[object] = [tag.id]
    if after is not None:
        sql += " AND message_rowid > ?"
        args.append(int(after))
    sql += " ORDER BY message_rowid"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return [int(r[0]) for r in conn.execute(sql, args)]


def bookmarked_rowids(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT message_rowid FROM bookmarks ORDER BY 1")]


def audit_log(
    conn: sqlite3.Connection, *, after: int | None = None, limit: int | None = None
) -> list[AuditEntry]:
    """The audit log, oldest first (keyset on its id)."""
    sql = "SELECT id, at_ms, examiner, action, target, before, after FROM audit_log"
    args: list[object] = []
    if after is not None:
        sql += " WHERE id > ?"
        args.append(int(after))
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return [
        AuditEntry(int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], r[6])
        for r in conn.execute(sql, args)
    ]


def rowids_of(conn: sqlite3.Connection, message_ids: Sequence[str]) -> list[int]:
    """Rowids of messages given by public id, in the order given; unknown ids raise."""
    out: list[int] = []
    for mid in message_ids:
        r = conn.execute("SELECT rowid FROM messages WHERE id = ?", (mid.strip(),)).fetchone()
        if r is None:
            raise AnnotationError(f"no message {mid} in this case")
        out.append(int(r[0]))
    return out


def iter_tagged_messages(
    conn: sqlite3.Connection, tag: Tag, *, batch: int = 500
) -> Iterator[Message]:
    """Exactly the messages carrying ``tag``, in export order (start time, then id)."""
    cur = conn.execute(
        select_sql()
        + " WHERE m.rowid IN (SELECT message_rowid FROM message_tags WHERE tag_id = ?)"
        + " ORDER BY m.start_ms, m.id",
        (tag.id,),
    )
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        yield from messages_from_rows(conn, rows)
