"""The receiver's inbox: received bodies kept as files, then imported into the case.

Every accepted body is first written durably to ``<inbox>/<uuid>.json`` (or, when it is
not a Message Copy document, to ``<inbox>/quarantine/<uuid>.json`` with a
``<uuid>.reason.txt`` beside it), and only then recorded in the case through the normal
import path, with the inbox file as its source. On start, files of the inbox that the
case has not recorded yet (a crash between the two steps) are imported first.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from msgcopy_viewer.ingest.analyze import FileAnalysis, analyze_bytes
from msgcopy_viewer.ingest.live import LiveImporter, LiveResult
from msgcopy_viewer.receiver.durable import (
    FolderSync,
    durable_write,
    remove_stale_temporaries,
)
from msgcopy_viewer.store.errors import CaseError

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
REASON_SUFFIX = ".reason.txt"
REQUEST_LOG = "requests.jsonl"
CATCH_UP_COMMIT_FILES = 64


@dataclass(frozen=True, slots=True)
class Prepared:
    """A body that has been parsed and, unless refused, written durably."""

    analysis: FileAnalysis
    relpath: str | None  # inbox-relative file, None when refused (strict mode)
    quarantined: bool
    mtime_ms: int | None = None

    @property
    def reason(self) -> str | None:
        return self.analysis.error


@dataclass(frozen=True, slots=True)
class Accepted:
    outcome: str  # stored | duplicate | quarantined
    relpath: str
    message_id: str | None
    reason: str | None = None
    new_messages: int = 0
    conversations: frozenset[str] = field(default_factory=frozenset)


@dataclass(slots=True)
class CatchUpReport:
    files: int = 0
    messages: int = 0
    conversations: set[str] = field(default_factory=set)


class Inbox:
    """Owns the inbox folder and the receiver's import batch.

    ``prepare`` may run on several threads at once; ``commit``, ``catch_up`` and
    ``close`` must run on one thread (the writer's), which owns the case connection.
    """

    def __init__(
        self, case: Path, folder: Path, *, strict: bool = False, lock_wait_ms: int = 5_000
    ) -> None:
        self.case_path = case
        self.folder = folder.expanduser().absolute()
        self.quarantine = self.folder / QUARANTINE
        self.strict = strict
        self.lock_wait_ms = lock_wait_ms
        self.root = str(self.folder)
        self._importer: LiveImporter | None = None
        self._sync = FolderSync(self.folder)
        self._quarantine_sync = FolderSync(self.quarantine)
        self._catch_up_due = False

    # -- opening -----------------------------------------------------------------------------
    def open(self) -> CatchUpReport:
        """Create the folders, open the case, import what a previous run left unrecorded.

        Raises OSError or CaseError."""
        if not self.case_path.parent.is_dir():
            raise CaseError(
                f"Cannot create {self.case_path}: the folder {self.case_path.parent} "
                "does not exist."
            )
        if not self.folder.parent.is_dir():
            raise CaseError(
                f"Cannot create the inbox {self.folder}: the folder {self.folder.parent} "
                "does not exist."
            )
        importer = LiveImporter(
            self.case_path, [self.root], "receiver", lock_wait_ms=self.lock_wait_ms
        )
        try:
            self.folder.mkdir(exist_ok=True)
            self.quarantine.mkdir(exist_ok=True)
        except BaseException:
            importer.close("failed")
            raise
        self._importer = importer
        removed = remove_stale_temporaries(self.folder) + remove_stale_temporaries(self.quarantine)
        if removed:
            log.info("removed %d unfinished temporary files from %s", removed, self.folder)
        return self.catch_up()

    @property
    def importer(self) -> LiveImporter:
        if self._importer is None:
            raise RuntimeError("the inbox is not open")
        return self._importer

    # -- receiving ---------------------------------------------------------------------------
    def prepare(self, body: bytes) -> Prepared:
        """Parse ``body`` and write it durably to the inbox (or the quarantine).

        With ``strict``, a body that is not a Message Copy document is not written
        (``relpath`` None). Raises OSError when it cannot be stored."""
        analysis = analyze_bytes(body)
        name = f"{uuid.uuid4()}.json"
        if analysis.error is None:
            path = durable_write(self.folder, name, body, self._sync)
            return Prepared(analysis, name, False, _mtime_ms(path))
        if self.strict:
            return Prepared(analysis, None, True)
        reason_file = name.removesuffix(".json") + REASON_SUFFIX
        reason = (analysis.error + "\n").encode("utf-8")
        durable_write(self.quarantine, reason_file, reason, self._quarantine_sync)
        path = durable_write(self.quarantine, name, body, self._quarantine_sync)
        return Prepared(analysis, f"{QUARANTINE}/{name}", True, _mtime_ms(path))

    def commit(self, prepared: Prepared) -> Accepted:
        """Record one prepared body in the case (writer thread); see ``commit_many``."""
        return self.commit_many([prepared])[0]

    def commit_many(self, prepared: list[Prepared]) -> list[Accepted]:
        """Record prepared bodies in the case in one transaction (writer thread). Raises on
        a storage failure (nothing recorded), and then imports the inbox's unrecorded
        files before the next bodies."""
        importer = self.importer
        out: list[Accepted | None] = [None] * len(prepared)
        try:
            if self._catch_up_due:
                self.catch_up()
            good: list[tuple[int, str, FileAnalysis]] = []
            for n, p in enumerate(prepared):
                if p.relpath is None:
                    raise ValueError("a refused body cannot be committed")
                analysis = p.analysis._replace(mtime_ms=p.mtime_ms)
                if p.quarantined:
                    importer.record_rejected(
                        self.root,
                        p.relpath,
                        size=analysis.size,
                        mtime_ms=p.mtime_ms,
                        sha256=analysis.sha256,
                        reason=analysis.error or "not a Message Copy document",
                    )
                    out[n] = Accepted("quarantined", p.relpath, None, analysis.error)
                else:
                    good.append((n, p.relpath, analysis))
            if good:
                results = importer.record_many(self.root, [(r, a) for _, r, a in good])
                for (n, relpath, _), result in zip(good, results, strict=True):
                    out[n] = _accepted(relpath, result)
        except BaseException:
            self._catch_up_due = True
            raise
        return [a for a in out if a is not None]

    def catch_up(self) -> CatchUpReport:
        """Import inbox files the case has not recorded (writer thread)."""
        importer = self.importer
        known = importer.known_files(self.root)
        report = CatchUpReport()
        pending: list[tuple[str, Path]] = []
        for folder, prefix in ((self.folder, ""), (self.quarantine, f"{QUARANTINE}/")):
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".json") and not entry.name.startswith("."):
                    relpath = prefix + entry.name
                    if relpath not in known and entry.is_file(follow_symlinks=False):
                        pending.append((relpath, Path(entry.path)))
        for relpath, path in pending:
            try:
                data = path.read_bytes()
            except OSError as exc:
                log.warning("cannot read %s: %s", path, exc.strerror or exc)
                continue
            mtime = _mtime_ms(path)
            if relpath.startswith(f"{QUARANTINE}/"):
                reason_path = path.with_name(path.name.removesuffix(".json") + REASON_SUFFIX)
                try:
                    reason = reason_path.read_text("utf-8").strip()
                except OSError:
                    reason = analyze_bytes(data).error or "kept in the quarantine"
                analysis = analyze_bytes(data)
                importer.record_rejected(
                    self.root,
                    relpath,
                    size=len(data),
                    mtime_ms=mtime,
                    sha256=analysis.sha256,
                    reason=reason,
                )
            else:
                result = importer.import_bytes(self.root, relpath, data, mtime)
                report.messages += result.new_messages
                report.conversations.update(result.conversations)
            report.files += 1
        if report.files:
            log.info("imported %d inbox files left from an earlier run", report.files)
        self._catch_up_due = False
        return report

    def close(self) -> None:
        self._sync.close()
        self._quarantine_sync.close()
        if self._importer is not None:
            self._importer.close("completed")
            self._importer = None


def _accepted(relpath: str, result: LiveResult) -> Accepted:
    outcome = "duplicate" if result.duplicate else "stored"
    if result.outcome == "rejected":  # parsed when received, so only if the parser changed
        outcome = "quarantined"
    mid = result.message_ids[0] if result.message_ids else None
    return Accepted(outcome, relpath, mid, result.reason, result.new_messages, result.conversations)


def _mtime_ms(path: Path) -> int | None:
    try:
        return int(path.stat().st_mtime * 1000)
    except OSError:
        return None
