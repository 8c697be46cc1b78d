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
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer import __version__

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
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
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


THREADING_SUMMARY = """\
How msgcopy-viewer groups messages into conversations

• Every message belongs to one subscriber: the Extend mobile (subscriberParty.mobile).
• A conversation is the subscriber plus the set of other people in it. For SMS and
  one-to-one MMS that is the other party (otherParty.number).
• For an MMS, the other people are the sender and every To/Cc/Bcc address named
  inside the MMS itself, minus the subscriber (otherParty.number only shows the first
  recipient of a group message); when the MMS names nobody else, otherParty is used.
• Numbers are compared in their international (E.164) form, so "+1 214-555-5273",
  "12145555273" and "(214) 555-5273" are the same person. Alphanumeric senders
  (e.g. "BANK") are compared case-insensitively.
• The same event seen in several files (platform retries) is stored once; every file it
  was seen in is kept.
"""


def threading_rule_text() -> str:
    """docs/threading.md next to the package if it exists, else a built-in summary."""
    for candidate in (
        Path(__file__).resolve().parents[3] / "docs" / "threading.md",
        Path(__file__).resolve().parents[2] / "docs" / "threading.md",
    ):
        try:
            return candidate.read_text(encoding="utf-8")
        except OSError:
            continue
    return THREADING_SUMMARY


class TextDialog(QDialog):
    """A read-only text (Markdown shown as plain text, so nothing is interpreted)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — {APP_TITLE}")
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setPlainText(text)
        self.view.setAccessibleName(title)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(680, 520)


def threading_rule_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog("Threading Rule", threading_rule_text(), parent)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        self.setWindowTitle(f"About — {APP_TITLE}")
        self.setAccessibleName("About msgcopy-viewer")
        layout = QVBoxLayout(self)
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(
            f"msgcopy-viewer {__version__}\n\n"
            "Import, browse, search and export Message Copy SMS/MMS evidence.\n"
            "Source files are opened read-only and never changed; every message keeps "
            "the event exactly as received, with the SHA-256 of the file it came from.\n\n"
            f"Qt {qVersion()} · PySide6 {pyside_version}"
        )
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 240)
