"""Exporting a case (JSON Lines or CSV) on a worker thread; the file is written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from msgcopy_viewer.export.atomic import atomic_text_writer
from msgcopy_viewer.export.csv_export import write_csv
from msgcopy_viewer.export.jsonl import write_jsonl
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui.workers.import_worker import explain_failure

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")


class ExportWorker(QObject):
    finished = Signal(object)  # (messages written, output path)
    failed = Signal(str)

    def __init__(
        self, case_path: Path, fmt: str, out: Path, conversation_id: str | None = None
    ) -> None:
        super().__init__()
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        self.case_path = Path(case_path)
        self.fmt = fmt
        self.out = Path(out)
        self.conversation_id = conversation_id

    @Slot()
    def run(self) -> None:
        write = write_jsonl if self.fmt == "jsonl" else write_csv
        try:
            with (
                Case.open(self.case_path, create=False, readonly=True) as case,
                atomic_text_writer(self.out, newline="") as fh,
            ):
                n = write(case, fh, self.conversation_id)
        except Exception as exc:
            if not isinstance(exc, OSError):
                log.exception("export to %s failed", self.out)
            target = self.out if isinstance(exc, OSError) else self.case_path
            self.failed.emit(explain_failure(exc, target))
            return
        log.info("exported %s messages to %s", n, self.out)
        self.finished.emit((n, self.out))
