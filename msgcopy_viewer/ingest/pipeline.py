"""The import pipeline: scan → analyse (worker processes) → write (batched transactions).

Used by the CLI, the GUI's import worker and (later) the receiver. Progress is
reported through a callback; cancellation through a ``CancelToken``. Every file
ends in the ledger as imported, duplicate, rejected (with a reason) or skipped.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgcopy_viewer.ingest import scanner
from msgcopy_viewer.ingest.analyze import FileAnalysis, analyze_bytes
from msgcopy_viewer.ingest.scanner import SourceItem
from msgcopy_viewer.ingest.workers import WorkerPool
from msgcopy_viewer.ingest.writer import BatchWriter, FileOutcome
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.errors import StorageError, classify

log = logging.getLogger(__name__)

CHUNK_FILES = 64
CHUNK_BYTES = 4 << 20  # when sizes are known (zip members, named files)
SERIAL_CHUNK_FILES = 8  # in-process: small chunks keep memory flat for big MMS files
SAMPLE_FILES = 16
# Commits: the first after a second (the GUI shows conversations as they are committed),
# then further apart as the import goes on (a quarter of the time so far, at most two
# seconds): each commit rewrites the index pages it touched, so fewer is faster, but a
# transaction holds the case's write lock from its first file to its commit, and another
# importer (the receiver) waits that long. 2 s and 5 s measured the same.
COMMIT_SECONDS_MIN = 1.0
COMMIT_SECONDS_MAX = 2.0
COMMIT_BYTES = 8 << 20  # source bytes; pending rows are held in memory until the commit
BIG_FILE_BYTES = 256 << 10  # average file size above which parsing stays in-process
PARALLEL_THRESHOLD = 64  # fewer files than this: analyse in-process (no pool start-up)
PREFETCH_CHUNKS = 32  # results held while a commit runs (32 chunks of small files)
GC_THRESHOLD = 100_000  # allocations between young-generation collections during an import


class CancelToken:
    """Thread-safe cancel flag shared by the caller and the import."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(slots=True)
class ImportProgress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    messages_imported: int
    elapsed_s: float
    current: str

    def seconds_left(self) -> float | None:
        """Time left at the rate so far: by bytes (every source is sized before the import
        starts), by files when nothing has been read yet; None until there is a rate."""
        if self.elapsed_s <= 0.2:
            return None
        if self.bytes_done > 0 and self.bytes_total > 0:
            return max(0.0, (self.bytes_total - self.bytes_done) * self.elapsed_s / self.bytes_done)
        if self.files_done > 0 and self.files_total > 0:
            return max(0.0, (self.files_total - self.files_done) * self.elapsed_s / self.files_done)
        return None


@dataclass(slots=True)
class LedgerEntry:
    path: str
    outcome: str
    reason: str | None


@dataclass(slots=True)
class ImportReport:
    case: str
    batch_id: int
    status: str  # completed | cancelled
    files_seen: int = 0
    files_imported: int = 0
    messages_imported: int = 0
    duplicates: int = 0
    duplicate_events: int = 0
    rejected: list[LedgerEntry] = field(default_factory=list)
    skipped: list[LedgerEntry] = field(default_factory=list)
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "batch": self.batch_id,
            "status": self.status,
            "files_seen": self.files_seen,
            "files_imported": self.files_imported,
            "messages_imported": self.messages_imported,
            "duplicates": self.duplicates,
            "duplicate_events": self.duplicate_events,
            "rejected": [{"path": e.path, "reason": e.reason} for e in self.rejected],
            "skipped": [{"path": e.path, "reason": e.reason} for e in self.skipped],
        }


ProgressCallback = Callable[[ImportProgress], None]
CommitCallback = Callable[[set[str]], None]


class _Refused(Exception):
    """A file refused before it was read whole; ``str()`` is the reason."""


def _read_file(path: str, max_bytes: int) -> tuple[bytes, int]:
    """Read a whole file read-only (sources are evidence) with as few system calls as
    possible; never through a link, never a pipe or device, never beyond ``max_bytes``."""
    try:
        fd, st = scanner.open_regular(path)
    except ValueError as exc:
        raise _Refused(str(exc)) from None
    try:
        if st.st_size > max_bytes:
            raise _Refused(scanner.too_big_reason(st.st_size, max_bytes))
        chunks = []
        want = st.st_size + 1  # one byte more tells us we reached the end
        got = 0
        while True:
            block = os.read(fd, max(want, 1 << 16))
            if not block:
                break
            chunks.append(block)
            got += len(block)
            if got > max_bytes:  # it grew while being read
                raise _Refused(scanner.too_big_reason(got, max_bytes))
            want = 1 << 20
        return b"".join(chunks), int(st.st_mtime * 1000)
    finally:
        os.close(fd)


Job = tuple[str | None, bytes | None, int]


def _read_and_analyze(job: Job) -> FileAnalysis | str | None:
    fs_path, data, max_bytes = job
    mtime_ms: int | None = None
    if data is None:
        if fs_path is None:
            return None
        try:
            data, mtime_ms = _read_file(fs_path, max_bytes)
        except _Refused as exc:
            return str(exc)
        except OSError as exc:
            return f"cannot read: {exc.strerror or exc}"
    try:
        return analyze_bytes(data, mtime_ms)
    except Exception as exc:  # a bug, not bad input: keep going, keep the evidence
        log.exception("unexpected error analysing %s", fs_path)
        return f"internal error while reading this file ({type(exc).__name__}: {exc!r})"


def _analyze_chunk(jobs: list[Job]) -> list[FileAnalysis | str | None]:
    return [_read_and_analyze(j) for j in jobs]


def _job(item: SourceItem, max_bytes: int) -> Job:
    if item.skip_reason is not None or item.error is not None:
        return (None, None, max_bytes)
    return (item.fs_path, item.data, max_bytes)


def analyze_item(item: SourceItem, max_bytes: int) -> FileAnalysis | str | None:
    """Read (when on disk) and parse one scanned item, in this process: its analysis, the
    reason it is refused, or None for an item that is skipped or refused by the scan."""
    return _read_and_analyze(_job(item, max_bytes))


def record_item(
    writer: BatchWriter, item: SourceItem, result: FileAnalysis | str | None
) -> FileOutcome:
    """Put one scanned item and what ``analyze_item`` made of it in the ledger (and the
    case): imported, duplicate, rejected or skipped, as any import does."""
    if item.skip_reason is not None:
        return writer.record_skipped(
            item.root, item.relpath, item.size, item.mtime_ms, item.skip_reason
        )
    if item.error is not None:
        return writer.record_rejected(
            item.root, item.relpath, item.size, item.mtime_ms, None, item.error
        )
    if isinstance(result, str) or result is None:
        return writer.record_rejected(
            item.root,
            item.relpath,
            item.size,
            item.mtime_ms,
            None,
            result or "could not be read",
        )
    return writer.record_file(item.root, item.relpath, item.mtime_ms, result)


def _mean_size(items: list[SourceItem]) -> float:
    """Mean size of a sample of items (a stat each for files found in folders)."""
    sizes = []
    for item in items:
        if item.size is not None:
            sizes.append(item.size)
        elif item.fs_path is not None:
            try:
                sizes.append(os.stat(item.fs_path).st_size)
            except OSError:
                continue
    return sum(sizes) / len(sizes) if sizes else 0.0


def _chunks(
    items: Iterator[SourceItem], max_files: int = CHUNK_FILES
) -> Iterator[list[SourceItem]]:
    chunk: list[SourceItem] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item.size or 0
        if len(chunk) >= max_files or size >= CHUNK_BYTES:
            yield chunk
            chunk = []
            size = 0
    if chunk:
        yield chunk


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often during an import (where it is on).

    An import keeps tens of thousands of row tuples alive until each commit, and every
    collection walks them again: at the default threshold that cost about 7 % of the
    importing process's time. The import itself makes almost no cyclic garbage.
    """
    if not gc.isenabled():  # the GUI collects on its own thread (ui.gc_guard)
        yield
        return
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def default_workers() -> int:
    """One worker more than there are cores, up to four: the importing process spends
    much of its time waiting for SQLite, and an extra worker fills those gaps (on two
    cores, three workers imported 50,000 SMS files 10-20 % faster than two)."""
    cores = os.cpu_count() or 1
    return 1 if cores < 2 else min(4, cores + 1)


def _failure(exc: BaseException) -> tuple[str, str]:
    """(batch status, reason) for an import ended by ``exc``."""
    if isinstance(exc, KeyboardInterrupt):
        # The same status a killed import gets when the next one finds its batch.
        how = getattr(exc, "how", "Ctrl-C")  # the CLI turns SIGTERM into one ("SIGTERM")
        return "interrupted", f"interrupted by the user ({how})"
    if isinstance(exc, StorageError):
        return "failed", str(exc)
    return "failed", f"internal error ({type(exc).__name__}: {exc}); see the log"


class Importer:
    def __init__(
        self,
        case_path: str | Path,
        *,
        origin: str = "cli",
        workers: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        on_commit: CommitCallback | None = None,
        limits: scanner.ScanLimits | None = None,
    ) -> None:
        """``limits``: the hostile-input limits (file size, archives); see docs/security.md."""
        self.case_path = Path(case_path)
        self.limits = limits or scanner.ScanLimits()
        self.origin = origin
        self.workers = default_workers() if workers is None else workers
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.on_commit = on_commit

    def run(self, paths: Sequence[str | Path]) -> ImportReport:
        """Import ``paths``. Raises CaseError (StorageError for a full disk, a read-only or
        locked case …) if the case cannot be opened or written; the batch is then marked
        ``failed`` with the reason, and what was committed before stays consistent."""
        with _fewer_collections():
            return self._run(paths)

    def _run(self, paths: Sequence[str | Path]) -> ImportReport:
        started = time.monotonic()
        files_total, bytes_total = scanner.count(paths, self.limits)
        roots = [scanner.escape_name(str(scanner.command_line_path(p))) for p in paths]
        case = Case.open(self.case_path)
        pool: WorkerPool | None = None
        try:
            items = scanner.scan(paths, self.limits)
            first = next(_chunks(items, SAMPLE_FILES), [])
            items = itertools.chain(first, items)
            if (
                self.workers > 1
                and files_total >= PARALLEL_THRESHOLD
                and _mean_size(first) <= BIG_FILE_BYTES
            ):
                # Started before the writer's own thread: a forked worker copies no threads.
                pool = WorkerPool(self.workers, _analyze_chunk)
            writer = BatchWriter(case, roots, self.origin, expected_files=files_total)
            report = ImportReport(case=str(case.path), batch_id=writer.batch_id, status="running")
            state = _RunState(files_total, bytes_total, started)
            try:
                if pool is not None:
                    self._run_parallel(items, pool, writer, report, state)
                else:
                    self._run_serial(items, writer, report, state)
                report.status = "cancelled" if self.cancel.cancelled else "completed"
                writer.finish(report.status)
            except BaseException as exc:
                err = classify(exc, case.path) if isinstance(exc, sqlite3.Error) else None
                status, reason = _failure(err or exc)
                writer.abort(status, reason)
                if err is not None and err is not exc:
                    raise err from exc
                raise
            self._notify_commit(writer)
            c = writer.counters
            report.files_seen = c.files_seen
            report.files_imported = c.files_imported
            report.messages_imported = c.messages_imported
            report.duplicates = c.duplicates
            report.duplicate_events = c.duplicate_events
            report.elapsed_s = time.monotonic() - started
            return report
        finally:
            if pool is not None:
                pool.close()
            case.close()

    # -- execution strategies ------------------------------------------------------------------
    def _run_serial(
        self,
        items: Iterator[SourceItem],
        writer: BatchWriter,
        report: ImportReport,
        state: _RunState,
    ) -> None:
        """Parse on a helper thread while this thread writes: SQLite releases the GIL while
        it stores rows, so writing big MMS media overlaps with parsing the next files."""
        max_bytes = self.limits.max_file_bytes
        results: queue.Queue[tuple[list[SourceItem], list[FileAnalysis | str | None]] | None] = (
            queue.Queue(maxsize=2)
        )
        stop = threading.Event()
        failure: list[BaseException] = []

        def produce() -> None:
            try:
                for chunk in _chunks(items, SERIAL_CHUNK_FILES):
                    if stop.is_set() or self.cancel.cancelled:
                        break
                    out = _analyze_chunk([_job(i, max_bytes) for i in chunk])
                    while not stop.is_set():
                        try:
                            results.put((chunk, out), timeout=0.2)
                            break
                        except queue.Full:
                            continue
            except BaseException as exc:  # handed to the writing thread
                failure.append(exc)
            finally:
                while not stop.is_set():
                    try:
                        results.put(None, timeout=0.2)
                        break
                    except queue.Full:
                        continue

        producer = threading.Thread(target=produce, name="msgcopy-parse", daemon=True)
        producer.start()
        try:
            while True:
                got = results.get()
                if got is None:
                    break
                if self.cancel.cancelled:
                    break
                self._record_chunk(got[0], got[1], writer, report, state)
        finally:
            stop.set()
            producer.join()
        if failure:
            raise failure[0]

    def _run_parallel(
        self,
        items: Iterator[SourceItem],
        pool: WorkerPool,
        writer: BatchWriter,
        report: ImportReport,
        state: _RunState,
    ) -> None:
        max_bytes = self.limits.max_file_bytes
        in_flight: deque[list[SourceItem]] = deque()
        ready: deque[list[FileAnalysis | str | None]] = deque()  # received ahead of time
        chunks = _chunks(items)
        exhausted = False

        def refill() -> None:
            nonlocal exhausted
            while not exhausted and len(pool) < pool.capacity and not self.cancel.cancelled:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    return
                jobs = [_job(i, max_bytes) for i in chunk]
                if state.bytes_done > BIG_FILE_BYTES * 4 and (
                    state.bytes_done / max(state.files_done, 1) > BIG_FILE_BYTES
                ):
                    # MMS-heavy input: shipping megabytes of decoded media back from a
                    # worker costs more than decoding here (measured).
                    pool.submit_local(jobs)
                else:
                    pool.submit(jobs)
                in_flight.append(chunk)

        def commit_while_receiving(do_commit: Callable[[], None]) -> None:
            """Commit on a helper thread (SQLite releases the GIL while it writes) while
            this thread keeps the workers busy, holding what they send until the commit
            is done: otherwise every commit leaves them idle once their pipes are full."""
            failure: list[BaseException] = []

            def run() -> None:
                try:
                    do_commit()
                except BaseException as exc:  # handed back to the importing thread
                    failure.append(exc)

            committer = threading.Thread(target=run, name="msgcopy-commit")
            committer.start()
            try:
                while committer.is_alive() and len(ready) < PREFETCH_CHUNKS:
                    refill()
                    if len(pool) == 0 or self.cancel.cancelled:
                        break
                    ready.append(pool.result())
            finally:
                committer.join()
            if failure:
                raise failure[0]

        while True:
            refill()
            if not in_flight or self.cancel.cancelled:
                break
            results = ready.popleft() if ready else pool.result()
            self._record_chunk(
                in_flight.popleft(), results, writer, report, state, commit_while_receiving
            )

    # -- recording -------------------------------------------------------------------------------
    def _record_chunk(
        self,
        chunk: list[SourceItem],
        results: list[FileAnalysis | str | None],
        writer: BatchWriter,
        report: ImportReport,
        state: _RunState,
        commit: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        writer.begin()
        parsed = [
            (item.root, item.relpath, item.mtime_ms or result.mtime_ms, result)
            for item, result in zip(chunk, results, strict=True)
            if item.skip_reason is None and item.error is None and isinstance(result, FileAnalysis)
        ]
        parsed_outcomes = iter(writer.record_files(parsed)) if parsed else iter(())
        nbytes = 0
        for item, result in zip(chunk, results, strict=True):
            if item.skip_reason is None and item.error is None and isinstance(result, FileAnalysis):
                outcome = next(parsed_outcomes)
                nbytes += result.size
            else:
                outcome = self._record_one(item, result, writer)
                nbytes += item.size or 0
            if outcome.outcome == "rejected":
                report.rejected.append(LedgerEntry(item.relpath, "rejected", outcome.reason))
            elif outcome.outcome == "skipped":
                report.skipped.append(LedgerEntry(item.relpath, "skipped", outcome.reason))
        state.files_done += len(chunk)
        state.bytes_done += nbytes
        state.bytes_since_commit += nbytes
        if chunk:
            state.last_path = chunk[-1].relpath
        if self._commit_due(state):
            self._commit(writer, state, commit)
        self._report_progress(writer, state)

    @staticmethod
    def _commit_due(state: _RunState) -> bool:
        now = time.monotonic()
        interval = min(COMMIT_SECONDS_MAX, max(COMMIT_SECONDS_MIN, (now - state.started) / 4))
        return state.bytes_since_commit >= COMMIT_BYTES or now - state.last_commit >= interval

    def _commit(
        self,
        writer: BatchWriter,
        state: _RunState,
        run: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """Commit (through ``run`` when given: it calls its argument, and may do other
        work meanwhile), then tell the caller which conversations changed."""
        if run is None:
            writer.commit()
        else:
            run(writer.commit)
        state.bytes_since_commit = 0
        state.last_commit = time.monotonic()
        self._notify_commit(writer)

    def _record_one(
        self, item: SourceItem, result: FileAnalysis | str | None, writer: BatchWriter
    ) -> FileOutcome:
        return record_item(writer, item, result)

    def _notify_commit(self, writer: BatchWriter) -> None:
        touched = writer.counters.touched_conversations
        if self.on_commit is not None and touched:
            self.on_commit(set(touched))
        touched.clear()

    def _report_progress(self, writer: BatchWriter, state: _RunState) -> None:
        if self.progress is None:
            return
        self.progress(
            ImportProgress(
                files_done=state.files_done,
                files_total=max(state.files_total, state.files_done),
                bytes_done=state.bytes_done,
                bytes_total=max(state.bytes_total, state.bytes_done),
                messages_imported=writer.counters.messages_imported,
                elapsed_s=time.monotonic() - state.started,
                current=state.last_path,
            )
        )


@dataclass(slots=True)
class _RunState:
    files_total: int
    bytes_total: int
    started: float
    files_done: int = 0
    bytes_done: int = 0
    bytes_since_commit: int = 0
    last_commit: float = 0.0
    last_path: str = ""
