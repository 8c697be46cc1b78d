"""Running an import on a worker thread.

``ImportWorker`` is a QObject moved to a QThread (see ``WorkerThread``). It never touches
widgets: it reports through signals (payloads declared as ``object``), which the owner
connects to bound methods of GUI objects. The owner keeps the ``WorkerThread`` and, when it
is done or the window closes, cancels and calls ``quit()`` + ``wait()``.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from msgcopy_viewer.ingest.pipeline import CancelToken, Importer, ImportProgress
from msgcopy_viewer.store.errors import CaseError, classify

log = logging.getLogger(__name__)


def explain_failure(exc: BaseException, case_path: Path) -> str:
    """Plain words for an environment error (disk full, locked …); a generic text otherwise."""
    if isinstance(exc, CaseError):
        return str(exc)
    known = classify(exc, case_path)
    if known is not None:
        return str(known)
    return (
        f"The import stopped because of an unexpected error ({type(exc).__name__}: {exc}). "
        "Files imported before the error are kept; details are in the log file."
    )


class ImportWorker(QObject):
    """Imports ``paths`` into ``case_path`` when ``run`` is called (on its thread)."""

    progress = Signal(object)  # ImportProgress
    committed = Signal(object)  # set[str]: conversation ids touched by a committed transaction
    finished = Signal(object)  # ImportReport
    failed = Signal(str)  # plain-language reason

    def __init__(
        self,
        case_path: Path,
        paths: Sequence[str | Path],
        *,
        workers: int | None = None,
        origin: str = "gui",
    ) -> None:
        super().__init__()
        self.case_path = Path(case_path)
        self.paths = [str(p) for p in paths]
        self.workers = workers
        self.origin = origin
        self.cancel_token = CancelToken()

    def cancel(self) -> None:
        """Thread-safe: the import stops after the file group it is working on."""
        self.cancel_token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def _on_progress(self, p: ImportProgress) -> None:
        self.progress.emit(p)

    def _on_commit(self, touched: set[str]) -> None:
        self.committed.emit(set(touched))

    @Slot()
    def run(self) -> None:
        log.info("import into %s started: %s", self.case_path, self.paths)
        importer = Importer(
            self.case_path,
            origin=self.origin,
            workers=self.workers,
            progress=self._on_progress,
            cancel=self.cancel_token,
            on_commit=self._on_commit,
        )
        try:
            report = importer.run(self.paths)
        except Exception as exc:
            if isinstance(exc, CaseError):
                log.warning("import into %s failed: %s", self.case_path, exc)
            else:
                log.exception("import into %s failed unexpectedly", self.case_path)
            self.failed.emit(explain_failure(exc, self.case_path))
            return
        log.info(
            "import batch %s %s: %s files, %s new messages",
            report.batch_id,
            report.status,
            report.files_seen,
            report.messages_imported,
        )
        self.finished.emit(report)


_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def running_worker_threads() -> int:
    """How many worker threads are still running (for shutdown checks and tests)."""
    return sum(1 for t in list(_threads) if t.isRunning())


class WorkerThread:
    """Owns a QThread and the worker moved to it; ``worker.run`` starts with the thread.

    The owner keeps this object until ``stop()`` has returned.
    """

    def __init__(self, worker: QObject, name: str) -> None:
        self.worker = worker
        self.thread = QThread()
        _threads.add(self.thread)
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)  # type: ignore[attr-defined]

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_ms: int | None = None) -> bool:
        """Cancel the worker (if it can be), end the thread's loop and wait for it."""
        cancel = getattr(self.worker, "cancel", None)
        if callable(cancel) and self.thread.isRunning():
            cancel()
        self.thread.quit()
        if timeout_ms is None:
            return self.thread.wait()
        return self.thread.wait(timeout_ms)
