"""The import progress shown in the status bar: files, MB, rate, time left, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from msgcopy_viewer.ingest.pipeline import ImportProgress
from msgcopy_viewer.ui.icons import icon
from msgcopy_viewer.ui.plain_text import set_tooltip, shown


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_progress(p: ImportProgress) -> str:
    """E.g. ``1,200 / 3,000 files · 1.4 / 3.5 MB · 0.9 MB/s · about 2 s left``."""
    mb_done = p.bytes_done / 1e6
    mb_total = p.bytes_total / 1e6
    parts = [f"{p.files_done:,} / {p.files_total:,} files", f"{mb_done:.1f} / {mb_total:.1f} MB"]
    if p.elapsed_s > 0.2 and p.bytes_done > 0:
        parts.append(f"{p.bytes_done / p.elapsed_s / 1e6:.1f} MB/s")
    left = p.seconds_left()
    if left is not None and p.files_done < p.files_total:
        parts.append(f"about {format_duration(left)} left")
    parts.append(f"{p.messages_imported:,} new messages")
    return " · ".join(parts)


class ImportProgressWidget(QWidget):
    """Label + bar + Cancel. Hidden while no import runs."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Import progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Preparing import…", self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names from the evidence
        self.label.setAccessibleName("Import status")
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Import progress bar")
        self.bar.setRange(0, 0)  # busy until the first report (counting files)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setAccessibleName("Cancel import")
        self.cancel_button.setToolTip("Stop the import; what is already imported is kept")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)

    def start(self, what: str) -> None:
        self.label.setText(shown(f"Importing {what}…"))
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def update_progress(self, p: ImportProgress) -> None:
        if p.files_total > 0:
            self.bar.setRange(0, p.files_total)
            self.bar.setValue(min(p.files_done, p.files_total))
        self.label.setText(shown(format_progress(p)))
        set_tooltip(self.label, p.current)

    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancelRequested.emit()

    def stop(self) -> None:
        self.hide()
