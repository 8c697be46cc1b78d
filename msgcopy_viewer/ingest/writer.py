"""Writing an import batch into a case: ledger rows, messages, conversations, media.

The caller groups files into transactions (``begin`` … ``commit``); everything a
file contributes is written in the same transaction as its ledger row, so a
killed import leaves whole files or nothing, and re-running it completes it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from msgcopy_viewer import __version__
from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.ingest.analyze import STORED_FIELDS, FileAnalysis, MessageRecord, snippet
from msgcopy_viewer.store.case import Case, CaseError, now_ms
from msgcopy_viewer.store.checkpoint import BackgroundCheckpointer
from msgcopy_viewer.store.messages import message_insert_sql, part_insert_sql, part_row

log = logging.getLogger(__name__)

WRITE_LOCK_WAIT_MS = 30_000

# A record's first STORED_FIELDS fields are these columns, in order.
MESSAGE_INSERT = message_insert_sql()
PART_INSERT = part_insert_sql()


@dataclass(frozen=True, slots=True)
class FileOutcome:
    outcome: str
    reason: str | None
    new_messages: int
    duplicate_events: int


# what a file that brought one new message came to
_IMPORTED_ONE = FileOutcome("imported", None, 1, 0)


@dataclass(slots=True)
class _ConvDelta:
    count: int = 0
    mms: int = 0
    first_ms: int | None = None
    last_ms: int | None = None
    last_rowid: int | None = None
    last_message: MessageRecord | None = None

    @property
    def last_snippet(self) -> str | None:
        m = self.last_message
        if m is None:
            return None
        return snippet(m.text or (m.subject or "") or ("MMS" if m.type == "mms" else ""))


class KeyFilter:
    """A Bloom filter over strings: ``key in filter`` is False only for keys never added.

    It lets the duplicate look-ups skip the database for keys that are certainly new,
    which in a large import is almost every key; a false positive (about 0.2 % at the
    size chosen) only costs the look-up it would have cost anyway. Positions come from
    Python's string hash, which each string caches, so it lives in one process only.
    """

    __slots__ = ("_bits", "_mask")

    BITS_PER_KEY = 16

    def __init__(self, capacity: int) -> None:
        size = 1 << max(20, (max(capacity, 1) * self.BITS_PER_KEY - 1).bit_length())
        self._bits = bytearray(size >> 3)
        self._mask = size - 1

    def add(self, key: str) -> None:
        h = hash(key)
        step = (h >> 32) | 1
        bits, mask = self._bits, self._mask
        for n in (h & mask, (h + step) & mask, (h + 2 * step) & mask):
            bits[n >> 3] |= 1 << (n & 7)

    def __contains__(self, key: object) -> bool:
        h = hash(key)
        step = (h >> 32) | 1
        bits, mask = self._bits, self._mask
        for n in (h & mask, (h + step) & mask, (h + 2 * step) & mask):
            if not bits[n >> 3] & (1 << (n & 7)):
                return False
        return True


# A filter is built from the case's keys when the import is at least this fraction of
# the case: loading a key costs about as much as a few look-ups save.
FILTER_MIN_SHARE = 0.25


@dataclass(slots=True)
class BatchCounters:
    files_seen: int = 0
    files_imported: int = 0
    messages_imported: int = 0
    duplicates: int = 0
    duplicate_events: int = 0
    rejected: int = 0
    skipped: int = 0
    touched_conversations: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _PendingRows:
    files: list[tuple[object, ...]] = field(default_factory=list)
    conversations: list[tuple[object, ...]] = field(default_factory=list)
    messages: list[tuple[object, ...]] = field(default_factory=list)
    parts: list[tuple[object, ...]] = field(default_factory=list)
    occurrences: list[tuple[int, int, int]] = field(default_factory=list)
    media: list[tuple[str, int, bytes]] = field(default_factory=list)
    media_seen: set[str] = field(default_factory=set)


class BatchWriter:
    """Owns the write connection of one import batch."""

    def __init__(
        self,
        case: Case,
        roots: Sequence[str],
        origin: str,
        *,
        expected_files: int | None = None,
    ) -> None:
        """``expected_files``, when known, sizes the duplicate filter (see KeyFilter)."""
        self.case = case
        self.conn = case.conn
        self.counters = BatchCounters()
        self._sub_ids: dict[str, int] = {}
        self._known_convs: set[str] = set()
        self._conv_delta: dict[str, _ConvDelta] = {}
        self._sub_delta: dict[int, list[int]] = {}  # id -> [count, first, last]
        self._in_tx = False
        self._next_file_id = 0
        self._last_file_id = 0
        self._next_rowid = 0
        self._fts_from = 0
        self._rows = _PendingRows()
        self._chunk_shas: dict[str, str] = {}
        self._tx_messages: dict[str, tuple[int, str]] = {}
        self._mark_interrupted()
        with case.transaction():
            cur = self.conn.execute(
                "INSERT INTO import_batches(started_ms, status, roots, origin, program_version) "
                "VALUES (?, 'running', ?, ?, ?)",
                (now_ms(), json.dumps(list(roots), ensure_ascii=False), origin, __version__),
            )
            assert cur.lastrowid is not None
            self.batch_id: int = cur.lastrowid
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            (f"batch_pid:{self.batch_id}", str(os.getpid())),
        )
        # Another importer (the receiver, a second window) may hold the write lock for a
        # transaction's length, up to a few seconds: wait for it rather than fail.
        self.conn.execute(f"PRAGMA busy_timeout = {WRITE_LOCK_WAIT_MS}")
        # Checkpoints run beside the import instead of inside its commits.
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpointer: BackgroundCheckpointer | None = BackgroundCheckpointer(case.path)
        self._filter: KeyFilter | None = None
        self._data_version = 0
        if expected_files:
            self._load_filter(expected_files)

    def _load_filter(self, expected_files: int) -> None:
        """Put every message id and every stored file's SHA-256 in a KeyFilter, unless the
        case is so much bigger than the import that loading them costs more than it saves."""
        q = self.conn.execute
        with self.case.transaction():  # one snapshot for the keys and the data version
            messages = int(q("SELECT coalesce(max(rowid), 0) FROM messages").fetchone()[0])
            files = int(q("SELECT coalesce(max(id), 0) FROM source_files").fetchone()[0])
            if expected_files < FILTER_MIN_SHARE * (messages + files):
                return
            flt = KeyFilter(messages + files + 2 * expected_files)
            for (key,) in q("SELECT id FROM messages"):
                flt.add(key)
            for (key,) in q(
                "SELECT sha256 FROM source_files WHERE outcome IN ('imported', 'duplicate')"
            ):
                flt.add(key)
            self._data_version = int(q("PRAGMA data_version").fetchone()[0])
        self._filter = flt

    def _mark_interrupted(self) -> None:
        """Batches left 'running' by a process that no longer exists were interrupted."""
        rows = self.conn.execute(
            "SELECT b.id, m.value FROM import_batches b LEFT JOIN meta m "
            "ON m.key = 'batch_pid:' || b.id WHERE b.status = 'running'"
        ).fetchall()
        for batch_id, pid in rows:
            alive = False
            if pid is not None:
                try:
                    os.kill(int(pid), 0)
                    alive = int(pid) != os.getpid()
                except (OSError, ValueError):
                    alive = False
            if not alive:
                with self.case.transaction():
                    self.conn.execute(
                        "UPDATE import_batches SET status = 'interrupted' WHERE id = ?",
                        (batch_id,),
                    )

    # -- transactions ------------------------------------------------------------------------
    def begin(self) -> None:
        if self._in_tx:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        if (
            self._filter is not None
            and int(self.conn.execute("PRAGMA data_version").fetchone()[0]) != self._data_version
        ):
            # Another connection wrote to the case since the filter was made: its keys
            # are not in it, so from now on every key is looked up.
            self._filter = None
        # Ids are handed out here, under the write lock, so rows can be inserted in bulk.
        q = self.conn.execute
        self._next_file_id = int(
            q("SELECT coalesce(max(id), 0) + 1 FROM source_files").fetchone()[0]
        )
        self._next_rowid = int(q("SELECT coalesce(max(rowid), 0) + 1 FROM messages").fetchone()[0])
        self._fts_from = self._next_rowid

    def commit(self) -> None:
        if not self._in_tx:
            return
        self._flush_rows()
        # Index the new messages in one statement (same transaction: a killed import
        # never leaves messages without their search entries).
        self.conn.execute(
            "INSERT INTO message_fts(rowid, text, subject, contact_names, attachment_names) "
            "SELECT rowid, text, coalesce(subject, ''), coalesce(contact_names, ''), "
            "coalesce(attachment_names, '') "
            "FROM messages WHERE rowid >= ?",
            (self._fts_from,),
        )
        self._flush_aggregates()
        c = self.counters
        self.conn.execute(
            "UPDATE import_batches SET files_seen=?, files_imported=?, messages_imported=?, "
            "duplicates=?, rejected=?, skipped=? WHERE id=?",
            (
                c.files_seen,
                c.files_imported,
                c.messages_imported,
                c.duplicates,
                c.rejected,
                c.skipped,
                self.batch_id,
            ),
        )
        self.conn.execute("COMMIT")
        self._in_tx = False
        flt = self._filter
        if flt is not None:
            for key in self._chunk_shas:
                flt.add(key)
            for key in self._tx_messages:
                flt.add(key)
        self._chunk_shas.clear()
        self._tx_messages.clear()

    def rollback(self) -> None:
        if self._in_tx:
            self.case.rollback()
            self._in_tx = False
        self._conv_delta.clear()
        self._sub_delta.clear()
        self._known_convs.clear()
        self._sub_ids.clear()
        self._rows = _PendingRows()
        self._chunk_shas.clear()
        self._tx_messages.clear()

    def finish(self, status: str) -> None:
        """Commit what is pending and mark the batch ``status`` (on failure the caller
        calls ``abort``)."""
        self.commit()
        with self.case.transaction():
            self.conn.execute(
                "UPDATE import_batches SET status=?, finished_ms=? WHERE id=?",
                (status, now_ms(), self.batch_id),
            )
            self.conn.execute("DELETE FROM meta WHERE key = ?", (f"batch_pid:{self.batch_id}",))
        self.close()

    def abort(self, status: str, reason: str) -> None:
        """End the batch after a failure: roll back the open transaction (whole files or
        nothing, as after a kill) and mark the batch ``status`` with ``reason``. Never
        raises — the failure that brought us here is the one to report; if even marking the
        batch fails (the disk is still full), the batch is left ``running`` and the next
        import marks it ``interrupted``."""
        try:
            self.rollback()
            try:
                with self.case.transaction():
                    self.conn.execute(
                        "UPDATE import_batches SET status=?, reason=?, finished_ms=? WHERE id=?",
                        (status, reason, now_ms(), self.batch_id),
                    )
                    self.conn.execute(
                        "DELETE FROM meta WHERE key = ?", (f"batch_pid:{self.batch_id}",)
                    )
            except (sqlite3.Error, CaseError) as exc:
                log.info("could not mark batch %s %s: %s", self.batch_id, status, exc)
        finally:
            try:
                self.close()
            except (sqlite3.Error, CaseError) as exc:
                log.info("final checkpoint of batch %s failed: %s", self.batch_id, exc)

    def close(self) -> None:
        """Stop the background checkpoints and copy what is left into the case file."""
        if self._checkpointer is None:
            return
        self._checkpointer.stop()
        self._checkpointer = None
        self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    # -- ledger ------------------------------------------------------------------------------
    def _ledger(
        self,
        *,
        root: str,
        path: str,
        size: int | None,
        mtime_ms: int | None,
        sha256: str | None,
        outcome: str,
        reason: str | None,
        events: int = 0,
        new_messages: int = 0,
    ) -> int:
        self.begin()
        file_id = self._last_file_id = self._next_file_id
        self._next_file_id += 1
        self._rows.files.append(
            (
                file_id,
                self.batch_id,
                root,
                path,
                size,
                mtime_ms,
                sha256,
                outcome,
                reason,
                events,
                new_messages,
            )
        )
        self.counters.files_seen += 1
        return file_id

    def record_skipped(
        self, root: str, path: str, size: int | None, mtime_ms: int | None, reason: str
    ) -> FileOutcome:
        self._ledger(
            root=root,
            path=path,
            size=size,
            mtime_ms=mtime_ms,
            sha256=None,
            outcome="skipped",
            reason=reason,
        )
        self.counters.skipped += 1
        return FileOutcome("skipped", reason, 0, 0)

    def record_rejected(
        self,
        root: str,
        path: str,
        size: int | None,
        mtime_ms: int | None,
        sha256: str | None,
        reason: str,
    ) -> FileOutcome:
        self._ledger(
            root=root,
            path=path,
            size=size,
            mtime_ms=mtime_ms,
            sha256=sha256,
            outcome="rejected",
            reason=reason,
        )
        self.counters.rejected += 1
        return FileOutcome("rejected", reason, 0, 0)

    def record_file(
        self, root: str, path: str, mtime_ms: int | None, analysis: FileAnalysis
    ) -> FileOutcome:
        """Store one parsed file, deciding imported / duplicate / rejected."""
        return self.record_files([(root, path, mtime_ms, analysis)])[0]

    def record_files(
        self, files: Sequence[tuple[str, str, int | None, FileAnalysis]]
    ) -> list[FileOutcome]:
        """Store parsed files (in order), with set-at-a-time duplicate look-ups."""
        self.begin()
        q = self.conn.execute
        flt = self._filter
        shas = list({a.sha256 for _, _, _, a in files if a.error is None})
        # Keys of this transaction are in _chunk_shas / _tx_messages, and go into the
        # filter when it commits; only keys the filter may hold are looked up.
        stored = shas if flt is None else [sha for sha in shas if sha in flt]
        known_sha: dict[str, str] = {}
        for i in range(0, len(stored), 500):
            part = stored[i : i + 500]
            rows = q(
                "SELECT sha256, path, batch_id FROM source_files WHERE sha256 IN "
                f"({','.join('?' * len(part))}) AND outcome IN ('imported', 'duplicate') "
                "ORDER BY id DESC",
                part,
            ).fetchall()
            for sha, spath, batch in rows:
                known_sha[sha] = f"same bytes as {spath} (import batch {batch})"
        for sha in shas:
            if sha in self._chunk_shas:
                known_sha.setdefault(sha, self._chunk_shas[sha])
        ids = list({m.id for _, _, _, a in files if a.error is None for m in a.messages})
        stored = ids if flt is None else [mid for mid in ids if mid in flt]
        known_msg: dict[str, int] = {}
        for i in range(0, len(stored), 500):
            part = stored[i : i + 500]
            for mid, rowid in q(
                f"SELECT id, rowid FROM messages WHERE id IN ({','.join('?' * len(part))})", part
            ):
                known_msg[mid] = int(rowid)
        for mid in ids:
            if mid in self._tx_messages:
                known_msg[mid] = self._tx_messages[mid][0]
        return [
            self._record_parsed(root, path, mtime_ms, analysis, known_sha, known_msg)
            for root, path, mtime_ms, analysis in files
        ]

    def _record_parsed(
        self,
        root: str,
        path: str,
        mtime_ms: int | None,
        analysis: FileAnalysis,
        known_sha: dict[str, str],
        known_msg: dict[str, int],
    ) -> FileOutcome:
        sha = analysis.sha256
        if analysis.error is not None:
            return self.record_rejected(root, path, analysis.size, mtime_ms, sha, analysis.error)
        msgs = analysis.messages
        if len(msgs) == 1 and sha not in known_sha and msgs[0].id not in known_msg:
            # The common case, one new event in new bytes: the general path below,
            # without its bookkeeping for partial duplicates.
            m = msgs[0]
            file_id = self._last_file_id = self._next_file_id
            self._next_file_id += 1
            size = analysis.size
            # ledger row: ..., outcome, reason, events, new_messages
            self._rows.files.append(
                (file_id, self.batch_id, root, path, size, mtime_ms, sha, "imported", None, 1, 1)
            )
            rowid = self._insert_message(m, file_id)
            known_msg[m.id] = rowid
            self._tx_messages[m.id] = (rowid, path)
            self._rows.occurrences.append((rowid, file_id, m.source_index))
            known_sha[sha] = self._chunk_shas[sha] = (
                f"same bytes as {path} (import batch {self.batch_id})"
            )
            c = self.counters
            c.files_seen += 1
            c.files_imported += 1
            c.messages_imported += 1
            return _IMPORTED_ONE
        events = len(msgs)
        same = known_sha.get(analysis.sha256)
        if same is not None:
            self._ledger(
                root=root,
                path=path,
                size=analysis.size,
                mtime_ms=mtime_ms,
                sha256=analysis.sha256,
                outcome="duplicate",
                reason=same,
                events=events,
            )
            file_id = self._last_file_id
            self._rows.occurrences.extend(
                (known_msg[m.id], file_id, m.source_index)
                for m in analysis.messages
                if m.id in known_msg
            )
            self.counters.duplicates += 1
            self.counters.duplicate_events += events
            return FileOutcome("duplicate", same, 0, events)
        new: list[MessageRecord] = []
        seen_here: set[str] = set()
        first_dup: int | None = None
        for m in analysis.messages:
            if m.id in seen_here:
                continue
            seen_here.add(m.id)
            if m.id in known_msg:
                if first_dup is None:
                    first_dup = known_msg[m.id]
            else:
                new.append(m)
        dup_events = events - len(new)
        if new:
            outcome = "imported"
            reason = (
                None
                if not dup_events
                else (f"{dup_events} of {events} events were already in the case")
            )
        else:
            outcome = "duplicate"
            reason = (
                f"all {counted(events, 'event')} already in the case{self._first_seen(first_dup)}"
            )
        file_id = self._ledger(
            root=root,
            path=path,
            size=analysis.size,
            mtime_ms=mtime_ms,
            sha256=analysis.sha256,
            outcome=outcome,
            reason=reason,
            events=events,
            new_messages=len(new),
        )
        for m in new:
            rowid = self._insert_message(m, file_id)
            known_msg[m.id] = rowid
            self._tx_messages[m.id] = (rowid, path)
        self._rows.occurrences.extend(
            (known_msg[m.id], file_id, m.source_index) for m in analysis.messages
        )
        same_reason = f"same bytes as {path} (import batch {self.batch_id})"
        known_sha[analysis.sha256] = same_reason
        self._chunk_shas[analysis.sha256] = same_reason
        if outcome == "imported":
            self.counters.files_imported += 1
            self.counters.messages_imported += len(new)
        else:
            self.counters.duplicates += 1
        self.counters.duplicate_events += dup_events
        return FileOutcome(outcome, reason, len(new), dup_events)

    def _first_seen(self, rowid: int | None) -> str:
        if rowid is None:
            return ""
        for mid_rowid, path in self._tx_messages.values():
            if mid_rowid == rowid:
                return f" (first seen in {path})"
        self._flush_rows()
        src = self.conn.execute(
            "SELECT s.path FROM messages m JOIN source_files s ON s.id = m.source_file_id "
            "WHERE m.rowid = ?",
            (rowid,),
        ).fetchone()
        return f" (first seen in {src[0]})" if src is not None else ""

    # -- messages ----------------------------------------------------------------------------
    def _subscriber_id(self, m: MessageRecord) -> int:
        sid = self._sub_ids.get(m.subscriber_key)
        if sid is not None:
            return sid
        row = self.conn.execute(
            "SELECT id FROM subscribers WHERE key = ?", (m.subscriber_key,)
        ).fetchone()
        if row is None:
            cur = self.conn.execute(
                "INSERT INTO subscribers(key, mobile, domain, did, subr_id) VALUES (?,?,?,?,?)",
                (m.subscriber_key, m.sub_mobile, m.sub_domain, m.sub_did, m.sub_subr_id),
            )
            assert cur.lastrowid is not None
            sid = cur.lastrowid
        else:
            sid = int(row[0])
            self.conn.execute(
                "UPDATE subscribers SET domain = coalesce(domain, ?), did = coalesce(did, ?), "
                "subr_id = coalesce(subr_id, ?) WHERE id = ?",
                (m.sub_domain, m.sub_did, m.sub_subr_id, sid),
            )
        self._sub_ids[m.subscriber_key] = sid
        return sid

    def _ensure_conversation(self, m: MessageRecord, sid: int) -> None:
        if m.conversation_id in self._known_convs:
            return
        self._rows.conversations.append(
            (
                m.conversation_id,
                sid,
                json.dumps(m.participants, ensure_ascii=False),
                json.dumps(m.participant_keys, ensure_ascii=False),
                int(len(m.participants) > 1),
            )
        )
        self._known_convs.add(m.conversation_id)

    def _insert_message(self, m: MessageRecord, file_id: int) -> int:
        sid = self._subscriber_id(m)
        self._ensure_conversation(m, sid)
        rows = self._rows
        for sha, data in m.blobs:
            if sha not in rows.media_seen:
                rows.media_seen.add(sha)
                rows.media.append((sha, len(data), data))
        rowid = self._next_rowid
        self._next_rowid += 1
        rows.messages.append((*m[:STORED_FIELDS], rowid, sid, file_id, self.batch_id))
        if m.parts:
            rows.parts.extend(part_row(rowid, p) for p in m.parts)
        d = self._conv_delta.get(m.conversation_id)
        if d is None:
            d = self._conv_delta[m.conversation_id] = _ConvDelta()
        d.count += 1
        d.mms += m.type == "mms"
        d.first_ms = m.start_ms if d.first_ms is None else min(d.first_ms, m.start_ms)
        if d.last_ms is None or m.start_ms >= d.last_ms:
            d.last_ms = m.start_ms
            d.last_rowid = rowid
            d.last_message = m  # its snippet is made once, when the batch is written
        s = self._sub_delta.get(sid)
        if s is None:
            self._sub_delta[sid] = [1, m.start_ms, m.start_ms]
        else:
            s[0] += 1
            s[1] = min(s[1], m.start_ms)
            s[2] = max(s[2], m.start_ms)
        self.counters.touched_conversations.add(m.conversation_id)
        return rowid

    def _flush_rows(self) -> None:
        """Write the rows gathered so far (called before every commit)."""
        rows = self._rows
        em = self.conn.executemany
        if rows.conversations:
            em(
                "INSERT OR IGNORE INTO conversations(id, subscriber_id, participants, "
                "participant_keys, is_group) VALUES (?,?,?,?,?)",
                rows.conversations,
            )
        if rows.files:
            em(
                "INSERT INTO source_files(id, batch_id, root, path, size, mtime_ms, sha256, "
                "outcome, reason, events, new_messages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                rows.files,
            )
        if rows.media:
            em("INSERT OR IGNORE INTO media(sha256, size, data) VALUES (?,?,?)", rows.media)
        if rows.messages:
            em(MESSAGE_INSERT, rows.messages)
        if rows.parts:
            em(PART_INSERT, rows.parts)
        if rows.occurrences:
            em(
                "INSERT OR IGNORE INTO occurrences(message_rowid, source_file_id, source_index) "
                "VALUES (?,?,?)",
                rows.occurrences,
            )
        self._rows = _PendingRows()

    def _flush_aggregates(self) -> None:
        self.conn.executemany(
            "UPDATE conversations SET message_count = message_count + ?, "
            "mms_count = mms_count + ?, "
            "first_ms = min(coalesce(first_ms, ?), ?), "
            "last_rowid = CASE WHEN last_ms IS NULL OR ? >= last_ms THEN ? ELSE last_rowid END, "
            "last_snippet = CASE WHEN last_ms IS NULL OR ? >= last_ms THEN ? "
            "ELSE last_snippet END, "
            "last_ms = max(coalesce(last_ms, ?), ?) WHERE id = ?",
            [
                (
                    d.count,
                    d.mms,
                    d.first_ms,
                    d.first_ms,
                    d.last_ms,
                    d.last_rowid,
                    d.last_ms,
                    d.last_snippet,
                    d.last_ms,
                    d.last_ms,
                    cid,
                )
                for cid, d in self._conv_delta.items()
            ],
        )
        self._conv_delta.clear()
        self.conn.executemany(
            "UPDATE subscribers SET message_count = message_count + ?, "
            "first_ms = min(coalesce(first_ms, ?), ?), last_ms = max(coalesce(last_ms, ?), ?) "
            "WHERE id = ?",
            [
                (c, first, first, last, last, sid)
                for sid, (c, first, last) in self._sub_delta.items()
            ],
        )
        self._sub_delta.clear()
