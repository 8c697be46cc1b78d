"""Running a report export (any format, any selection) on a worker thread.

The worker opens its own read-only connection to the case, calls the same
``export.reports.run_export`` as the command line, and reports ``progress(done, total)``.
``cancel()`` sets a flag that the next progress report turns into ``ExportCancelled``:
the export's temporary file or folder is removed and nothing is left behind.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from msgcopy_viewer.export.outdir import ExportCancelled, ExportError
from msgcopy_viewer.export.redact import Redactor
from msgcopy_viewer.export.reports import run_export, work_for
from msgcopy_viewer.export.selection import ResolvedSelection, Selection, SelectionError
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui.report_pdf import write_pdf_report
from msgcopy_viewer.ui.workers.import_worker import explain_failure

log = logging.getLogger(__name__)


class ReportWorker(QObject):
    progress = Signal(int, int)  # units done, units in all
    finished = Signal(object)  # (summary line, output path)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        case_path: Path,
        selection: Selection,
        fmt: str,
        out: Path,
        *,
        redactor: Redactor,
        examiner: str | None = None,
    ) -> None:
        super().__init__()
        self.case_path = Path(case_path)
        self.selection = selection
        self.fmt = fmt
        self.out = Path(out)
        self.redactor = redactor
        self.examiner = examiner
        self._cancel = threading.Event()
        self._total = 0

    def cancel(self) -> None:
        self._cancel.set()

    def _on_resolved(self, sel: ResolvedSelection, case: Case) -> None:
        self._total = max(1, work_for(case.conn, sel, self.fmt))
        self.progress.emit(0, self._total)

    def _progress(self, done: int) -> None:
        if self._cancel.is_set():
            raise ExportCancelled
        self.progress.emit(min(done, self._total), self._total)

    @Slot()
    def run(self) -> None:
        try:
            with Case.open(self.case_path, create=False, readonly=True) as case:
                summary = run_export(
                    case,
                    self.selection,
                    self.fmt,
                    self.out,
                    redactor=self.redactor,
                    examiner=self.examiner,
                    pdf_writer=write_pdf_report,
                    progress=self._progress,
                    on_resolved=lambda sel: self._on_resolved(sel, case),
                )
        except ExportCancelled:
            self.cancelled.emit()
            return
        except (SelectionError, ExportError) as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            if not isinstance(exc, OSError):
                log.exception("report export to %s failed", self.out)
            target = self.out if isinstance(exc, OSError) else self.case_path
            self.failed.emit(explain_failure(exc, target))
            return
        self.finished.emit((summary, self.out))
