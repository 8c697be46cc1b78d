"""Importing files one at a time, as they arrive: the receiver and the folder watcher.

``LiveImporter`` keeps one import batch and its write connection open for as long as a
source runs, and stores each file in its own short transaction, through the same
``BatchWriter`` as every other import: the same ledger rows, duplicate rules and
provenance (the file's folder and name). Parsing happens in the calling thread — a
single message takes far less time than starting a worker process would.

One thread at a time may use an instance (the receiver's writer thread, or the watcher's).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msgcopy_viewer.ingest.analyze import FileAnalysis, analyze_bytes
from msgcopy_viewer.ingest.pipeline import record_item
from msgcopy_viewer.ingest.scanner import SourceItem
from msgcopy_viewer.ingest.writer import BatchWriter, FileOutcome
from msgcopy_viewer.store.case import Case

log = logging.getLogger(__name__)

# A request waits this long for another importer's transaction before it is answered
# "try again later"; an import holds the write lock for at most a couple of seconds.
LOCK_WAIT_MS = 5_000


@dataclass(frozen=True, slots=True)
class LiveResult:
    """What storing one file came to."""

    outcome: str  # imported | duplicate | rejected | skipped
    reason: str | None
    message_ids: tuple[str, ...]
    new_messages: int
    conversations: frozenset[str] = field(default_factory=frozenset)

    @property
    def duplicate(self) -> bool:
        return self.outcome == "duplicate"


class LiveImporter:
    """One import batch that stays open while files arrive one at a time."""

    def __init__(
        self,
        case_path: str | Path,
        roots: Iterable[str | Path],
        origin: str,
        *,
        lock_wait_ms: int = LOCK_WAIT_MS,
    ) -> None:
        """Open the case (raises CaseError) and start a batch for ``roots`` (absolute folders)."""
        self.roots = [str(Path(r).expanduser().absolute()) for r in roots]
        self.case = Case.open(case_path)
        try:
            self.writer = BatchWriter(self.case, self.roots, origin)
            self.case.conn.execute(f"PRAGMA busy_timeout = {int(lock_wait_ms)}")
        except BaseException:
            self.case.close()
            raise
        self._closed = False

    @property
    def batch_id(self) -> int:
        return self.writer.batch_id

    # -- storing ---------------------------------------------------------------------------
    def import_bytes(
        self, root: str, relpath: str, data: bytes, mtime_ms: int | None = None
    ) -> LiveResult:
        """Parse and store one file's bytes, committed before this returns."""
        return self.record(root, relpath, analyze_bytes(data, mtime_ms))

    def record(self, root: str, relpath: str, analysis: FileAnalysis) -> LiveResult:
        """Store an already parsed file (``analyze_bytes`` of its exact bytes), committed."""
        return self.record_many(root, [(relpath, analysis)])[0]

    def record_many(self, root: str, files: Sequence[tuple[str, FileAnalysis]]) -> list[LiveResult]:
        """Store parsed files in one transaction (all or none), committed before this returns."""
        try:
            outcomes = [
                self.writer.record_file(root, relpath, analysis.mtime_ms, analysis)
                for relpath, analysis in files
            ]
            self.writer.commit()
        except BaseException:
            self._rollback()
            raise
        self.writer.counters.touched_conversations.clear()
        return [_result(o, a) for o, (_, a) in zip(outcomes, files, strict=True)]

    def record_items(
        self, items: Sequence[tuple[SourceItem, FileAnalysis | str | None]]
    ) -> list[LiveResult]:
        """Store scanned items (a zip archive's members) with what ``analyze_item`` made of
        each, in one transaction (all or none), committed before this returns."""
        try:
            outcomes = [record_item(self.writer, item, result) for item, result in items]
            self.writer.commit()
        except BaseException:
            self._rollback()
            raise
        self.writer.counters.touched_conversations.clear()
        return [
            _result(o, r if isinstance(r, FileAnalysis) else None)
            for o, (_, r) in zip(outcomes, items, strict=True)
        ]

    def record_rejected(
        self,
        root: str,
        relpath: str,
        *,
        size: int | None,
        mtime_ms: int | None,
        sha256: str | None,
        reason: str,
    ) -> LiveResult:
        """Put a file that is not a Message Copy document in the ledger, committed."""
        try:
            outcome = self.writer.record_rejected(root, relpath, size, mtime_ms, sha256, reason)
            self.writer.commit()
        except BaseException:
            self._rollback()
            raise
        return LiveResult(outcome.outcome, outcome.reason, (), 0)

    def record_skipped(
        self, root: str, relpath: str, *, size: int | None, mtime_ms: int | None, reason: str
    ) -> LiveResult:
        try:
            outcome = self.writer.record_skipped(root, relpath, size, mtime_ms, reason)
            self.writer.commit()
        except BaseException:
            self._rollback()
            raise
        return LiveResult(outcome.outcome, outcome.reason, (), 0)

    def _rollback(self) -> None:
        try:
            self.writer.rollback()
        except Exception:  # the connection may be unusable (disk gone): the caller reports
            log.warning("rollback failed", exc_info=True)
        self.writer.counters.touched_conversations.clear()

    # -- what is already in the case ---------------------------------------------------------
    def known_files(self, root: str) -> dict[str, list[tuple[int | None, int | None, str | None]]]:
        """Ledger entries under ``root``: relpath → [(size, mtime_ms, sha256), …]."""
        known: dict[str, list[tuple[int | None, int | None, str | None]]] = {}
        for path, size, mtime, sha in self.case.conn.execute(
            "SELECT path, size, mtime_ms, sha256 FROM source_files WHERE root = ?", (root,)
        ):
            known.setdefault(str(path), []).append((size, mtime, sha))
        return known

    # -- the end -----------------------------------------------------------------------------
    def close(self, status: str = "completed") -> None:
        """End the batch (``completed``, ``cancelled`` or ``failed``) and close the case."""
        if self._closed:
            return
        self._closed = True
        try:
            self.writer.finish(status)
        except Exception:
            log.warning("could not end import batch %s cleanly", self.batch_id, exc_info=True)
            try:
                self.writer.close()
            except Exception:
                pass
        finally:
            self.case.close()


def _result(outcome: FileOutcome, analysis: FileAnalysis | None) -> LiveResult:
    if analysis is None:
        return LiveResult(outcome.outcome, outcome.reason, (), 0)
    ids: list[str] = []
    for m in analysis.messages:
        if m.id not in ids:
            ids.append(m.id)
    conversations = (
        frozenset(m.conversation_id for m in analysis.messages)
        if outcome.new_messages
        else frozenset()
    )
    return LiveResult(
        outcome.outcome, outcome.reason, tuple(ids), outcome.new_messages, conversations
    )


def file_mtime_ms(path: str | os.PathLike[str]) -> int | None:
    try:
        return int(os.stat(path).st_mtime * 1000)
    except OSError:
        return None
