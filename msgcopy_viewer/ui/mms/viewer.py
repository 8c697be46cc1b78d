"""The MMS viewer dialog: header (who, to whom, when), slides, other parts, actions.

Opened by the main window as ``MmsViewerDialog(case_path, rowid, parent, tz=…)``: its
Date line follows the chosen time zone (UTC and the raw ``startTime`` on hover). It reads the
message (``store.messages.Message``: envelope, slides, parts) and the decoded part bytes
from the case (opened read-only; image decoding threads open their own connections).
Nothing is fetched from the network, and message text is only ever shown as plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.case import Case, CaseError
from msgcopy_viewer.store.messages import Envelope, Message, get_message
from msgcopy_viewer.ui import screen_fit
from msgcopy_viewer.ui.mms.image_loader import ImageLoader
from msgcopy_viewer.ui.mms.image_view import plain_label
from msgcopy_viewer.ui.mms.part_actions import PartActions
from msgcopy_viewer.ui.mms.part_info import human_size
from msgcopy_viewer.ui.mms.part_view import RenderContext, add_part_actions
from msgcopy_viewer.ui.mms.parts_strip import PartsStrip
from msgcopy_viewer.ui.mms.slideshow import Slideshow
from msgcopy_viewer.ui.models.roles import tooltip_html
from msgcopy_viewer.ui.plain_text import menu_title, set_plain_text, shown
from msgcopy_viewer.ui.timezone import TimeZoneSettings

log = logging.getLogger(__name__)

FALLBACK_NOTICE = (
    "This message has no usable SMIL presentation, so its parts are shown in the order "
    "they appear in the message."
)


def _join(values: list[str]) -> str:
    return ", ".join(values) if values else "—"


class MessageHeader(QFrame):
    """Subject, From, To/Cc/Bcc, time, direction; group messages say so."""

    def __init__(
        self,
        row: Message,
        env: Envelope,
        parent: QWidget | None = None,
        tz: TimeZoneSettings | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("mmsHeader")
        self._row = row
        self._tz = tz if tz is not None else TimeZoneSettings(parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        subject = env.subject or row.subject
        self.subject_label = plain_label(subject or "(no subject)", self)
        font = self.subject_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.subject_label.setFont(font)
        layout.addWidget(self.subject_label)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(2)
        sender = env.sender or row.sender
        if not sender and row.direction == "mo":
            sender = row.sub_mobile or row.subscriber_mobile
        self.values: dict[str, QLabel] = {}
        rows: list[tuple[str, str]] = [("From", sender or "(unknown sender)")]
        rows.append(("To", _join(list(env.to))))
        for values, title in ((env.cc, "Cc"), (env.bcc, "Bcc")):
            if values:
                rows.append((title, _join(list(values))))
        direction = {"mo": "Sent by the subscriber", "mt": "Received by the subscriber"}.get(
            row.direction, row.direction
        )
        self._direction = f"{direction} ({row.sub_mobile or row.subscriber_mobile})"
        if row.is_report:
            rows.insert(0, ("Kind", row.report_summary()))
        rows.append(("Date", self._date_text()))
        if row.is_group:
            rows.append(
                (
                    "Group",
                    f"Group MMS with {counted(len(row.participants), 'other participant')}: "
                    f"{_join(list(row.participants))}",
                )
            )
        for title, value in rows:
            label = plain_label(value, self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[title] = label
            form.addRow(plain_label(title + ":", self, wrap=False), label)
        layout.addLayout(form)
        self._update_date()
        self._tz.changed.connect(self._update_date)

    def _date_text(self) -> str:
        row = self._row
        return f"{self._tz.full_text(row.start_ms, row.start_raw)}  ·  {self._direction}"

    def _update_date(self, *_a: object) -> None:
        """The Date line in the chosen zone; UTC and the raw startTime on hover."""
        label = self.values["Date"]
        label.setText(self._date_text())
        label.setToolTip(tooltip_html(self._tz.tooltip(self._row.start_ms, self._row.start_raw)))


class MmsViewerDialog(QDialog):
    """Shows one stored MMS the way its SMIL lays it out."""

    def __init__(
        self,
        case_path: Path,
        rowid: int,
        parent: QWidget | None = None,
        tz: TimeZoneSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsViewer")
        self.tz = tz
        self.setWindowTitle("MMS")
        # 760×860 where it fits; on a small screen (1280×720) the slides shrink instead of
        # the navigation and the buttons falling off the screen.
        self.resize(
            screen_fit.fit_size(QSize(760, 860), screen_fit.available_geometry(parent or self))
        )
        self.case_path = Path(case_path)
        self.rowid = rowid
        self.case: Case | None = None
        self.row: Message | None = None
        self.ctx: RenderContext | None = None
        self.loader: ImageLoader | None = None
        self.part_actions: PartActions | None = None
        self.header: MessageHeader | None = None
        self.slideshow: Slideshow | None = None
        self.strip: PartsStrip | None = None
        self.fallback_label: QLabel | None = None
        self.error_label: QLabel | None = None
        self.warnings_view: QPlainTextEdit | None = None
        self._shut = False
        layout = self._layout = QVBoxLayout(self)
        try:
            self.case = Case.open(self.case_path, create=False, readonly=True)
            self.row = get_message(self.case.conn, rowid, raw=False)
        except CaseError as exc:
            self._show_error(str(exc))
            return
        if self.row is None:
            self._show_error(f"Message {rowid} is not in this case.")
            return
        if not self.row.is_mms:
            self._show_error("This message is not an MMS, or its content could not be decoded.")
            return
        self._build(layout, self.row)

    # -- construction -------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error_label = plain_label(text, self)
        self.error_label.setObjectName("mmsError")
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = self._layout
        layout.addWidget(self.error_label, 1)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)

    def _build(self, layout: QVBoxLayout, row: Message) -> None:
        assert self.case is not None
        env = row.envelope or Envelope()
        parts = row.parts
        subject = env.subject or row.subject
        self.setWindowTitle(shown(f"MMS — {subject}") if subject else "MMS")
        self.loader = ImageLoader(self.case.path, self)
        self.part_actions = PartActions(self.case, parts, self)
        self.ctx = RenderContext(self.case, self.case.path, self.loader, self.part_actions, row)

        self.header = MessageHeader(row, env, self, self.tz)
        layout.addWidget(self.header)

        if env.slides_source == "fallback":
            self.fallback_label = plain_label(FALLBACK_NOTICE, self)
            self.fallback_label.setObjectName("mmsFallbackNotice")
            self.fallback_label.setStyleSheet(
                "background: palette(alternate-base); padding: 4px; border-radius: 3px;"
            )
            layout.addWidget(self.fallback_label)
        if row.warnings:
            self._add_warnings(layout, row.warnings)

        self.slideshow = Slideshow(self.ctx, self)
        layout.addWidget(self.slideshow, 1)
        self.strip = PartsStrip(self.ctx, self)
        layout.addWidget(self.strip)

        buttons = QHBoxLayout()
        self.parts_button = QToolButton(self)
        self.parts_button.setText(f"Parts ({len(parts)})")
        self.parts_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.parts_button)
        for part in parts:
            sub = menu.addMenu(
                menu_title(f"{part.label} — {part.media_type}, {human_size(part.size)}")
            )
            add_part_actions(sub, self.part_actions, part)
        self.parts_button.setMenu(menu)
        self.parts_button.setEnabled(bool(parts))
        self.save_all_button = QPushButton("Save all…", self)
        self.save_all_button.setToolTip(
            "Save every part into a folder, with a manifest.sha256 of their hashes"
        )
        self.save_all_button.setEnabled(bool(parts))
        self.save_all_button.clicked.connect(self._save_all)
        self.status_label = plain_label("", self, wrap=False)
        self.part_actions.status.connect(self._show_status)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        buttons.addWidget(self.parts_button)
        buttons.addWidget(self.save_all_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Right), self, self.slideshow.next)
        QShortcut(QKeySequence(Qt.Key.Key_Left), self, self.slideshow.previous)

    def _show_status(self, text: str) -> None:
        set_plain_text(self.status_label, text, multiline=False)

    def _add_warnings(self, layout: QVBoxLayout, warnings: Sequence[str]) -> None:
        toggle = QToolButton(self)
        toggle.setText(f"Decoding notes ({len(warnings)})")
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.warnings_view = QPlainTextEdit(self)
        self.warnings_view.setObjectName("mmsWarnings")
        self.warnings_view.setReadOnly(True)
        self.warnings_view.setPlainText(
            shown("\n".join(f"• {w}" for w in warnings), multiline=True)
        )
        self.warnings_view.setMaximumHeight(90)
        self.warnings_view.setVisible(False)
        toggle.toggled.connect(self.warnings_view.setVisible)
        toggle.toggled.connect(self._arrow(toggle))
        layout.addWidget(toggle)
        layout.addWidget(self.warnings_view)

    @staticmethod
    def _arrow(toggle: QToolButton) -> Callable[[bool], None]:
        def update(checked: bool) -> None:
            toggle.setArrowType(Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow)

        return update

    def _save_all(self) -> None:
        if self.part_actions is not None:
            self.part_actions.save_all()

    # -- shutdown -----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop timers and players, wait for decoding threads, close the case (idempotent)."""
        if self._shut:
            return
        self._shut = True
        if self.slideshow is not None:
            self.slideshow.stop()
        if self.ctx is not None:
            for player in self.ctx.players:
                player.stop()
            for image in self.ctx.images:
                image.stop()
        if self.loader is not None:
            self.loader.shutdown()
        if self.case is not None:
            self.case.close()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
