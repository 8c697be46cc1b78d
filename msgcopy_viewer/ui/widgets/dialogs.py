"""Message boxes in plain words, and the small Help dialogs (shortcuts, threading rule, about).

Every message box goes through :func:`run_box`, so tests can capture dialogs instead of
blocking on them (``monkeypatch.setattr(dialogs, "run_box", ...)``).
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.about import licences_text, threading_rule_text, version_text
from msgcopy_viewer.ui.plain_text import plain_tooltip, shown

log = logging.getLogger(__name__)

APP_TITLE = "msgcopy-viewer"


def run_box(box: QMessageBox) -> int:
    """Show ``box`` modally and return the button pressed (tests replace this)."""
    return box.exec()


def _box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    details: str | None = None,
    informative: str | None = None,
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(f"{title} — {APP_TITLE}")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(shown(text, multiline=True))
    if informative:
        # the informative text is detected as rich text whatever the box's format
        box.setInformativeText(plain_tooltip(informative))
    if details:
        box.setDetailedText(details)
    box.setAccessibleName(title)
    return box


def show_error(parent: QWidget | None, title: str, text: str, details: str | None = None) -> None:
    run_box(_box(parent, QMessageBox.Icon.Critical, title, text, details))


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    run_box(_box(parent, QMessageBox.Icon.Warning, title, text))


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    run_box(_box(parent, QMessageBox.Icon.Information, title, text))


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    box = _box(parent, QMessageBox.Icon.Question, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return run_box(box) == QMessageBox.StandardButton.Yes


def show_exception(
    parent: QWidget | None,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    log_file: Path | None = None,
) -> None:
    """An unexpected error: say so plainly, keep the traceback under "Show Details…"."""
    where = f" Details were written to the log file:\n{log_file}" if log_file else ""
    text = (
        "Something went wrong inside msgcopy-viewer. The program keeps running, and your "
        "case has not been changed by this error."
    )
    informative = f"{exc_type.__name__}: {exc}".strip() + "\n" + where
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    run_box(_box(parent, QMessageBox.Icon.Critical, "Unexpected error", text, details, informative))


# -- Help dialogs --------------------------------------------------------------------------
class ShortcutsDialog(QDialog):
    """A two-column table of keyboard shortcuts."""

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Keyboard Shortcuts — {APP_TITLE}")
        self.setAccessibleName("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(shortcuts), 2, self)
        self.table.setAccessibleName("Shortcut list")
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, (keys, action) in enumerate(shortcuts):
            native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys
            self.table.setItem(row, 0, QTableWidgetItem(native))
            self.table.setItem(row, 1, QTableWidgetItem(action))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 420)


class ThreadingRuleDialog(QDialog):
    """The threading rule (the app's own Markdown document, not evidence), the one dialog
    that Help ▸ Threading Rule and the conversation header's button open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Threading Rule — {APP_TITLE}")
        self.setAccessibleName("Threading rule")
        layout = QVBoxLayout(self)
        self.view = QTextBrowser(self)
        self.view.setOpenLinks(False)
        self.view.setMarkdown(threading_rule_text())
        self.view.setAccessibleName("Threading rule")
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(680, 560)


def threading_rule_dialog(parent: QWidget | None = None) -> ThreadingRuleDialog:
    return ThreadingRuleDialog(parent)


class AboutDialog(QDialog):
    """The version of the app, Qt, PySide6 and Python (as ``--version`` prints them) and the
    licences of the parts an installation carries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from msgcopy_viewer.ui.qt_info import qt_versions

        self.setWindowTitle(f"About — {APP_TITLE}")
        self.setAccessibleName("About msgcopy-viewer")
        layout = QVBoxLayout(self)
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(
            "Import, browse, search and export Message Copy SMS/MMS evidence.\n"
            "Source files are opened read-only and never changed; every message keeps "
            "the event exactly as received, with the SHA-256 of the file it came from."
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.versions = QPlainTextEdit(self)
        self.versions.setReadOnly(True)
        self.versions.setAccessibleName("Versions and licences")
        self.versions.setPlainText(
            version_text(*qt_versions()) + "\n\nLicences of the bundled parts:\n" + licences_text()
        )
        layout.addWidget(self.versions, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 440)
