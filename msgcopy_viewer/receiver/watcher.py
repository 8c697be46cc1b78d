"""Watching folders where another receiver drops files, importing each file once complete.

File events come from ``watchfiles`` (inotify, FSEvents, ReadDirectoryChangesW), or from
polling the folders where events do not work (network shares: ``poll=True``, or
automatically when the system refuses to watch). A file is imported when its size and
modification time have not changed for ``settle_s`` seconds, so one still being written
is imported once, complete. Every file goes through the same ledger as any import; on
start, files that arrived while nothing watched (not in the ledger with the same size
and time, or the same content) are imported first.

Zip archives are read by the import's scanner, with its limits for hostile archives; their
members are recorded as ``archive.zip/member``, as an import records them. Members already
in the ledger (same name, size and time) are left out without being inflated, so an archive
touched, copied again or seen again after a restart stores nothing twice. An archive that
cannot be opened (one still being copied has no central directory yet) is tried again each
time it changes, and rejected once if it stays unreadable and unchanged.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from msgcopy_viewer.ingest.analyze import FileAnalysis
from msgcopy_viewer.ingest.live import LiveImporter
from msgcopy_viewer.ingest.pipeline import analyze_item
from msgcopy_viewer.ingest.scanner import (
    ScanLimits,
    SourceItem,
    is_zip_name,
    junk_file_reason,
    scan_found_file,
)
from msgcopy_viewer.receiver.config import INBOX_SUFFIX

log = logging.getLogger(__name__)

DEFAULT_SETTLE_S = 1.0
# A zip archive that cannot be opened is tried again while it changes; once it has stayed
# unreadable and unchanged this many settle periods (at least BROKEN_ZIP_MIN_S) it is
# rejected: a copy that stalls for longer is not waited for.
BROKEN_ZIP_SETTLES = 10
BROKEN_ZIP_MIN_S = 5.0
ZIP_CHUNK_FILES = 64  # members stored per transaction
ZIP_CHUNK_BYTES = 8 << 20
TICK_S = 0.25
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", "~", ".swp")


class StopFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class WatchEvent:
    folder: str
    relpath: str
    outcome: str  # imported | duplicate | rejected | skipped
    reason: str | None
    message_id: str | None = None
    new_messages: int = 0
    conversations: frozenset[str] = field(default_factory=frozenset)


@dataclass(slots=True)
class _Pending:
    root: str
    size: int
    mtime_ns: int
    since: float


class WatchError(Exception):
    """A folder cannot be watched; ``str()`` says why."""


def _ignored(name: str) -> bool:
    return (
        name.startswith(".")
        or name.endswith(PARTIAL_SUFFIXES)
        or junk_file_reason(name) is not None
    )


class FolderWatcher:
    """Imports files that appear in ``folders`` into ``case`` until stopped."""

    def __init__(
        self,
        case: str | Path,
        folders: Sequence[str | Path],
        *,
        settle_s: float = DEFAULT_SETTLE_S,
        poll: bool = False,
        on_event: Callable[[WatchEvent], None] | None = None,
        broken_zip_s: float | None = None,
        limits: ScanLimits | None = None,
    ) -> None:
        roots = []
        for f in folders:
            path = Path(f).expanduser().absolute()
            if not path.is_dir():
                raise WatchError(f"{f}: not a folder")
            roots.append(str(path))
        if not roots:
            raise WatchError("no folder to watch")
        if not (settle_s >= 0 and math.isfinite(settle_s)):
            raise WatchError(f"--settle must be a number of seconds, 0 or more, not {settle_s}")
        self.case = Path(case)
        self.roots = roots
        # The case's own files (and the receiver's inbox beside it) may lie in a watched
        # folder: importing them would change the case, which would change them again.
        self._case_real = os.path.realpath(self.case)
        self._case_name = self.case.name
        self.settle_s = settle_s
        self.broken_zip_s = (
            broken_zip_s
            if broken_zip_s is not None
            else max(BROKEN_ZIP_MIN_S, BROKEN_ZIP_SETTLES * settle_s)
        )
        self.limits = limits or ScanLimits()
        self.poll = poll
        self.on_event = on_event
        self.counts: dict[str, int] = {}
        self._pending: dict[str, _Pending] = {}
        self._broken: dict[str, tuple[tuple[int, int], float]] = {}  # zip → (size, mtime), since
        self._known: dict[str, dict[str, list[tuple[int | None, int | None, str | None]]]] = {}
        self.polling = poll

    # -- running -------------------------------------------------------------------------------
    def run(self, stop: StopFlag | None = None) -> None:
        """Watch until ``stop`` is set (a ``threading.Event``). Raises CaseError when the case
        cannot be used."""
        stop_flag: StopFlag = stop if stop is not None else threading.Event()
        importer = LiveImporter(self.case, self.roots, "watcher")
        status = "failed"
        try:
            self._known = {r: importer.known_files(r) for r in self.roots}
            for root in self.roots:  # what arrived while nothing watched
                for path in _walk(root):
                    self._observe(root, path)
            self._settle(importer, force_check=True)
            for changes in self._changes(stop_flag):
                for root, path in changes:
                    self._observe(root, path)
                self._settle(importer)
                if stop_flag.is_set():
                    break
            status = "completed"
        finally:
            importer.close(status)

    def _changes(self, stop: StopFlag) -> Iterator[list[tuple[str, str]]]:
        """Batches of (root, path) that changed; an empty batch every tick."""
        if not self.polling:
            try:
                yield from self._watchfiles(stop, force_polling=False)
                return
            except OSError as exc:  # inotify limits, unsupported file system
                log.warning("file events unavailable (%s); polling instead", exc)
                self.polling = True
        yield from self._watchfiles(stop, force_polling=True)

    def _watchfiles(
        self, stop: StopFlag, *, force_polling: bool
    ) -> Iterator[list[tuple[str, str]]]:
        from watchfiles import Change, watch

        for batch in watch(
            *self.roots,
            watch_filter=None,
            debounce=int(TICK_S * 1000),
            step=50,
            stop_event=stop,
            rust_timeout=int(TICK_S * 1000),
            yield_on_timeout=True,
            raise_interrupt=False,
            force_polling=force_polling,
            poll_delay_ms=500,
        ):
            out = []
            for change, path in batch:
                if change == Change.deleted:
                    self._pending.pop(path, None)
                    continue
                root = self._root_of(path)
                if root is not None:
                    out.append((root, path))
            yield out
            if stop.is_set():
                return

    def _root_of(self, path: str) -> str | None:
        for root in self.roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return root
        return None

    # -- deciding when a file is complete --------------------------------------------------------
    def _is_case_file(self, path: str) -> bool:
        """The case, its journal files and backups, or a file in its inbox."""
        if self._case_name not in path:
            return False
        real = os.path.realpath(path)
        if not real.startswith(self._case_real):
            return False
        rest = real[len(self._case_real) :]
        return (
            rest in ("", "-wal", "-shm", "-journal")
            or rest.startswith(INBOX_SUFFIX + os.sep)
            or (rest.startswith(".v") and rest.endswith(".bak"))
        )

    def _observe(self, root: str, path: str) -> None:
        if _ignored(os.path.basename(path)) or self._is_case_file(path):
            return
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            self._pending.pop(path, None)
            return
        if not os.path.isfile(path) or os.path.islink(path):
            return
        seen = self._pending.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self._pending[path] = _Pending(root, st.st_size, st.st_mtime_ns, time.monotonic())

    def _settle(self, importer: LiveImporter, *, force_check: bool = False) -> None:
        now = time.monotonic()
        for path, seen in list(self._pending.items()):
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                del self._pending[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
                self._pending[path] = _Pending(seen.root, st.st_size, st.st_mtime_ns, now)
                continue
            mtime_ms = st.st_mtime_ns // 1_000_000
            relpath = os.path.relpath(path, seen.root).replace(os.sep, "/")
            known = self._known[seen.root].get(relpath, [])
            if (st.st_size, mtime_ms) in [(k[0], k[1]) for k in known]:
                del self._pending[path]  # recorded already (an earlier run)
                continue
            if not force_check and now - seen.since < self.settle_s:
                continue
            if force_check and now - seen.since < self.settle_s and _young(st.st_mtime_ns):
                continue  # written moments ago: may still be growing
            del self._pending[path]
            self._import(importer, seen.root, relpath, path, st)

    def _import(
        self,
        importer: LiveImporter,
        root: str,
        relpath: str,
        path: str,
        st: os.stat_result,
    ) -> None:
        size, mtime_ms = st.st_size, st.st_mtime_ns // 1_000_000
        known = self._known[root].setdefault(relpath, [])
        if is_zip_name(relpath):
            self._import_zip(importer, root, relpath, st)
            return
        items = list(scan_found_file(root, relpath, self.limits))
        if len(items) != 1 or items[0].fs_path is None:  # no longer a regular file
            for item in items:
                result = importer.record_items([(item, None)])[0]
                known.append((size, mtime_ms, None))
                self._report(root, relpath, result.outcome, result.reason)
            return
        item = items[0]
        item.mtime_ms = mtime_ms  # the time the watcher compares, to the millisecond
        analysis = analyze_item(item, self.limits.max_file_bytes)
        if isinstance(analysis, str) and not os.path.lexists(path):
            return  # removed before it could be read: nothing arrived
        if isinstance(analysis, FileAnalysis) and any(k[2] == analysis.sha256 for k in known):
            known.append((size, mtime_ms, analysis.sha256))  # touched, same content
            return
        live = importer.record_items([(item, analysis)])[0]
        sha = analysis.sha256 if isinstance(analysis, FileAnalysis) else None
        known.append((size, mtime_ms, sha))
        self._report(
            root,
            relpath,
            live.outcome,
            live.reason,
            live.message_ids[0] if live.message_ids else None,
            live.new_messages,
            live.conversations,
        )

    def _import_zip(
        self, importer: LiveImporter, root: str, relpath: str, st: os.stat_result
    ) -> None:
        """Import an archive's members that are not in the ledger yet, through the
        scanner's zip reader and its limits. An archive that cannot be opened may still be
        being written: it is tried again when it changes, and rejected once it has stayed
        unreadable and unchanged for ``broken_zip_s``."""
        size, mtime_ms = st.st_size, st.st_mtime_ns // 1_000_000
        path = os.path.join(root, *relpath.split("/"))
        known = self._known[root]
        items = scan_found_file(root, relpath, self.limits, already=_KnownMembers(known))
        chunk: list[tuple[SourceItem, FileAnalysis | str | None]] = []
        nbytes = 0
        first = True
        try:
            for item in items:
                if first and item.relpath == relpath and item.error is not None:
                    self._unreadable_zip(importer, root, relpath, st, item.error)
                    return
                first = False
                analysis = analyze_item(item, self.limits.max_file_bytes)
                chunk.append((item, analysis))
                nbytes += item.size or 0
                if len(chunk) >= ZIP_CHUNK_FILES or nbytes >= ZIP_CHUNK_BYTES:
                    self._record_members(importer, root, chunk)
                    chunk, nbytes = [], 0
        finally:
            items.close()
        self._record_members(importer, root, chunk)
        self._broken.pop(path, None)
        # Recorded (or found recorded) member by member; remembered for this run so that
        # the archive touched again is not even opened.
        known.setdefault(relpath, []).append((size, mtime_ms, None))

    def _record_members(
        self,
        importer: LiveImporter,
        root: str,
        chunk: list[tuple[SourceItem, FileAnalysis | str | None]],
    ) -> None:
        if not chunk:
            return
        results = importer.record_items(chunk)
        known = self._known[root]
        for (item, analysis), live in zip(chunk, results, strict=True):
            sha = analysis.sha256 if isinstance(analysis, FileAnalysis) else None
            known.setdefault(item.relpath, []).append((item.size, item.mtime_ms, sha))
            self._report(
                root,
                item.relpath,
                live.outcome,
                live.reason,
                live.message_ids[0] if live.message_ids else None,
                live.new_messages,
                live.conversations,
            )

    def _unreadable_zip(
        self, importer: LiveImporter, root: str, relpath: str, st: os.stat_result, error: str
    ) -> None:
        path = os.path.join(root, *relpath.split("/"))
        now = time.monotonic()
        key = (st.st_size, st.st_mtime_ns)
        first = self._broken.get(path)
        if first is None or first[0] != key:
            self._broken[path] = (key, now)
            since = now
        else:
            since = first[1]
        if now - since < self.broken_zip_s:
            log.info("%s cannot be opened yet (%s); trying again", path, error)
            self._pending[path] = _Pending(root, st.st_size, st.st_mtime_ns, now)
            return
        del self._broken[path]
        mtime_ms = st.st_mtime_ns // 1_000_000
        reason = (
            f"{error}; unchanged for {self.broken_zip_s:g} s, so not an archive still being copied"
        )
        result = importer.record_rejected(
            root, relpath, size=st.st_size, mtime_ms=mtime_ms, sha256=None, reason=reason
        )
        self._known[root].setdefault(relpath, []).append((st.st_size, mtime_ms, None))
        self._report(root, relpath, result.outcome, result.reason)

    def _report(
        self,
        root: str,
        relpath: str,
        outcome: str,
        reason: str | None,
        message_id: str | None = None,
        new_messages: int = 0,
        conversations: frozenset[str] = frozenset(),
    ) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if self.on_event is not None:
            self.on_event(
                WatchEvent(root, relpath, outcome, reason, message_id, new_messages, conversations)
            )


class _KnownMembers:
    """``(relpath, size, mtime_ms) in members``: whether the ledger (or this run) has that
    file with that size and time."""

    def __init__(self, known: dict[str, list[tuple[int | None, int | None, str | None]]]) -> None:
        self._known = known

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        relpath, size, mtime_ms = key
        return any(k[0] == size and k[1] == mtime_ms for k in self._known.get(relpath, ()))


def _young(mtime_ns: int) -> bool:
    return time.time_ns() - mtime_ns < int(DEFAULT_SETTLE_S * 1e9)


def _walk(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            yield os.path.join(dirpath, name)
