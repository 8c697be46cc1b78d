"""The export dialog: any format, any selection, redaction; progress, Cancel, Open folder.

Opened from File ▸ Export ▸ Report…, and from the right-click menus ("Export…") of the
conversation list, the search results and the thread, each offering what the user was
looking at: the whole case, this conversation, the subscriber chosen on the left, the
current search results, or the selected messages, narrowed by an optional date range in
the window's time zone. The export runs on a ``ReportWorker``; the window stays
responsive and Cancel leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.export.redact import Redactor
from msgcopy_viewer.export.selection import Selection
from msgcopy_viewer.ui.models.roles import ROW_ROLE
from msgcopy_viewer.ui.settings import AppSettings
from msgcopy_viewer.ui.timezone import LOCAL_KEY, system_zone_name
from msgcopy_viewer.ui.workers.import_worker import WorkerThread
from msgcopy_viewer.ui.workers.report_worker import ReportWorker

FORMATS = (
    ("bundle", "Evidence bundle (folder: all formats, case report, manifest)"),
    ("html", "HTML transcript (folder)"),
    ("pdf", "PDF transcript"),
    ("xlsx", "Spreadsheet (XLSX)"),
    ("csv", "CSV"),
    ("jsonl", "JSON Lines"),
    ("tagged-html", "Tagged items (HTML folder: tagged messages by tag, with notes)"),
    ("tagged-pdf", "Tagged items (PDF)"),
)
FOLDER_FORMATS = ("bundle", "html", "tagged-html")
# where the examiner's name is remembered (the command line reads it too: cli_export.py)
EXAMINER_KEY = "report/examiner"
SUFFIX = {
    "pdf": ".pdf",
    "xlsx": ".xlsx",
    "csv": ".csv",
    "jsonl": ".jsonl",
    "tagged-pdf": "-tagged.pdf",
}
REDACTIONS = (
    ("none", "None"),
    ("numbers", "Numbers (keep the last 4 digits)"),
    ("text", "Text (replaced by its length)"),
    ("both", "Numbers and text"),
)


def zone_for(key: str) -> str:
    """The IANA name reports use for the window's zone key."""
    if key == LOCAL_KEY:
        return system_zone_name() or "UTC"
    return key


class ExportDialog(QDialog):
    """``choices``: ``[(label, Selection)]`` — what can be exported from where it was opened."""

    def __init__(
        self,
        case_path: Path,
        choices: list[tuple[str, Selection]],
        zone: str,
        settings: AppSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setAccessibleName("Export messages")
        self.case_path = Path(case_path)
        self.choices = choices
        self.zone = zone
        self.settings = settings
        self.runner: WorkerThread | None = None
        self.result_path: Path | None = None

        self.what = QComboBox(self)
        for label, _sel in choices:
            self.what.addItem(label)
        self.what.setAccessibleName("What to export")
        self.from_check = QCheckBox("From", self)
        self.from_date = QDateEdit(QDate.currentDate().addMonths(-1), self)
        self.to_check = QCheckBox("To", self)
        self.to_date = QDateEdit(QDate.currentDate(), self)
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        dates = QHBoxLayout()
        for w in (self.from_check, self.from_date, self.to_check, self.to_date):
            dates.addWidget(w)
        dates.addStretch(1)
        self.zone_label = QLabel(f"Dates and local times in {zone}", self)
        self.zone_label.setTextFormat(Qt.TextFormat.PlainText)

        self.format = QComboBox(self)
        for key, label in FORMATS:
            self.format.addItem(label, key)
        self.format.setAccessibleName("Format")
        self.output = QLineEdit(self)
        self.output.setAccessibleName("Output")
        self.browse = QPushButton("Browse…", self)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(self.browse)
        self.redact = QComboBox(self)
        for key, label in REDACTIONS:
            self.redact.addItem(label, key)
        self.redact.setAccessibleName("Redaction")
        remembered = settings.text(EXAMINER_KEY) if settings is not None else ""
        self.examiner = QLineEdit(remembered, self)
        self.examiner.setAccessibleName("Examiner")
        self.examiner.setPlaceholderText("named in the bundle's case report")

        form = QFormLayout()
        form.addRow("Messages:", self.what)
        form.addRow("Dates:", dates)
        form.addRow("", self.zone_label)
        form.addRow("Format:", self.format)
        form.addRow("Save to:", out_row)
        form.addRow("Redact:", self.redact)
        form.addRow("Examiner:", self.examiner)

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export", self)
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.open_button = QPushButton("Open Folder", self)
        self.open_button.setVisible(False)
        self.close_button = QPushButton("Close", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.open_button, self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        self.cancel_button.setEnabled(False)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(buttons)

        self.format.currentIndexChanged.connect(self._on_format)
        self.browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.close)
        self._on_format()

    # -- options ---------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def _default_output(self) -> str:
        base = self.case_path.with_suffix("")
        if self.fmt in FOLDER_FORMATS:
            return str(base.parent / f"{base.name}-{self.fmt}")
        return str(base.with_name(base.name + SUFFIX[self.fmt]))

    def _on_format(self, *_a: object) -> None:
        self.output.setText(self._default_output())
        self.examiner.setEnabled(self.fmt == "bundle")

    def _browse(self) -> None:
        if self.fmt in FOLDER_FORMATS:
            path, _ = QFileDialog.getSaveFileName(
                self, "New folder for the export", self.output.text()
            )
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", self.output.text())
        if path:
            self.output.setText(path)

    def selection(self) -> Selection:
        _label, sel = self.choices[max(0, self.what.currentIndex())]
        date_from = (
            self.from_date.date().toString("yyyy-MM-dd") if self.from_check.isChecked() else None
        )
        date_to = self.to_date.date().toString("yyyy-MM-dd") if self.to_check.isChecked() else None
        return replace(sel, date_from=date_from, date_to=date_to, tz=self.zone)

    # -- running ---------------------------------------------------------------------------
    def start(self) -> bool:
        if self.runner is not None:
            return False
        text = self.output.text().strip()
        if not text:
            self.status.setText("Choose where to save the export.")
            return False
        out = Path(text).expanduser()
        if self.fmt == "bundle" and self.examiner.text().strip() and self.settings is not None:
            self.settings.set_text(EXAMINER_KEY, self.examiner.text().strip())
        worker = ReportWorker(
            self.case_path,
            self.selection(),
            self.fmt,
            out,
            redactor=Redactor.for_mode(self.redact.currentData()),
            examiner=self.examiner.text().strip() or None,
        )
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self.runner = WorkerThread(worker, "report-export")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.open_button.setVisible(False)
        self.status.setText(f"Exporting to {out} …")
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.runner.start()
        return True

    @property
    def running(self) -> bool:
        return self.runner is not None

    def cancel(self) -> None:
        if self.runner is not None:
            self.status.setText("Cancelling …")
            self.runner.worker.cancel()  # type: ignore[attr-defined]

    def _end(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.stop()
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _on_finished(self, result: tuple[str, Path]) -> None:
        self._end()
        summary, out = result
        self.result_path = out
        self.progress.setValue(self.progress.maximum())
        self.status.setText(summary)
        self.open_button.setVisible(True)

    def _on_failed(self, message: str) -> None:
        self._end()
        self.progress.setVisible(False)
        self.status.setText(f"Export failed: {message}")

    def _on_cancelled(self) -> None:
        self._end()
        self.progress.setVisible(False)
        self.status.setText("Export cancelled; nothing was written.")

    def folder_to_open(self) -> Path | None:
        if self.result_path is None:
            return None
        return self.result_path if self.result_path.is_dir() else self.result_path.parent

    def open_folder(self) -> None:
        folder = self.folder_to_open()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def closeEvent(self, event: Any) -> None:
        if self.runner is not None:
            self.runner.worker.cancel()  # type: ignore[attr-defined]
            self._end()
        super().closeEvent(event)


# -- what the user was looking at ------------------------------------------------------------


def choices_for(
    browser: Any, *, messages: bool = False, conversation: Any = None
) -> list[tuple[str, Selection]]:
    """The selections the browser offers now: its selected messages (when ``messages``),
    a conversation (``conversation``, else the one shown), the subscriber chosen on the
    left, its search results, the whole case."""
    out: list[tuple[str, Selection]] = []
    if messages:
        rowids = selected_rowids(browser)
        if rowids:
            n = len(rowids)
            out.append((f"Selected message{'s' if n != 1 else ''} ({n})", Selection(rowids=rowids)))
    conv = conversation if conversation is not None else browser.thread_view.conversation()
    if conv is not None:
        out.append((f"This conversation: {conv.title}", Selection(conversations=(conv.id,))))
    subscriber = _one_subscriber(browser)
    if subscriber is not None:
        out.append((f"This subscriber: {subscriber}", Selection(subscriber=subscriber)))
    search = browser.search
    if search.is_active():
        out.append(
            (
                f"Search results: {search.field.text().strip() or '(filters)'}",
                Selection(query=search.field.text(), search_filters=search.filters()),
            )
        )
    out.append(("Whole case", Selection()))
    return out


def _one_subscriber(browser: Any) -> str | None:
    """The mobile of the subscriber chosen on the left, when exactly one is."""
    view = browser.subscribers
    scope = view.scope()
    if not scope or len(scope) != 1:
        return None
    info = view.currentIndex().data(ROW_ROLE)
    mobile = getattr(info, "mobile", None)
    if isinstance(mobile, str) and getattr(info, "id", None) == scope[0]:
        return mobile
    return None


def selected_rowids(browser: Any) -> tuple[int, ...]:
    """The messages selected in the thread (kept by rowid, loaded or not)."""
    return tuple(sorted(browser.thread_view.message_actions.rowids))


class ExportMenus(QObject):
    """ "Export…" from the right-click menus: the conversation list's and the thread's own
    menus ask for it (their ``exportRequested`` signals); the search results get a menu
    here. ``open_dialog`` (a callable taking the choices) shows the dialog."""

    def __init__(self, browser: Any, open_dialog: Any) -> None:
        super().__init__(browser)
        self.browser = browser
        self.open_dialog = open_dialog
        browser.conversations.exportRequested.connect(self._on_conversation)
        browser.thread_view.message_actions.exportRequested.connect(self._on_messages)
        results = browser.search.results_view
        results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        results.customContextMenuRequested.connect(self._on_results_menu)

    def _ask(self, view: Any, pos: Any) -> bool:
        menu = QMenu(view)
        action = menu.addAction("Export…")
        chosen = menu.exec(view.viewport().mapToGlobal(pos)) is action
        menu.deleteLater()
        return chosen

    def _on_conversation(self, conv: Any) -> None:
        self.open_dialog(choices_for(self.browser, conversation=conv))

    def _on_messages(self, messages: Any) -> None:
        rowids = tuple(sorted({m.rowid for m in messages}))
        choices = choices_for(self.browser)
        if rowids:
            n = len(rowids)
            label = "This message" if n == 1 else f"Selected messages ({n})"
            choices.insert(0, (label, Selection(rowids=rowids)))
        self.open_dialog(choices)

    def _on_results_menu(self, pos: Any) -> None:
        view = self.browser.search.results_view
        hit = view.indexAt(pos).data(ROW_ROLE)
        message = getattr(hit, "message", None)
        if self._ask(view, pos):
            choices = choices_for(self.browser)
            if message is not None:
                choices.insert(0, ("This message", Selection(rowids=(message.rowid,))))
            self.open_dialog(choices)
