"""The Receiver panel (a dock): settings, Start/Stop, URL and fingerprint, the live request
log with a detail pane, and the watched folders with their Stop buttons.

Everything arrives through queued signals from ``ui.workers.live_sources``; the panel
tells the window which conversations received messages (``messagesStored``) so they appear
as they arrive.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.receiver.config import (
    DEFAULT_PORT,
    SELF_SIGNED_CERT_FILE,
    ConfigError,
    ReceiverConfig,
    default_inbox,
    normalise_path,
    parse_size,
    read_token_file,
)
from msgcopy_viewer.receiver.requestlog import OUTCOMES, RequestRecord
from msgcopy_viewer.receiver.server import ReceiverInfo
from msgcopy_viewer.receiver.watcher import WatchError, WatchEvent
from msgcopy_viewer.ui.settings import AppSettings
from msgcopy_viewer.ui.widgets import dialogs
from msgcopy_viewer.ui.workers.live_sources import FolderWatch, ReceiverRunner

log = logging.getLogger(__name__)

MAX_REQUESTS = 1000  # rows kept in memory (newest first)
NORMAL_ANSWERS = 199  # the "Test: answer" box's lowest value: answer normally
SETTINGS_GROUP = "receiver/"
DEFAULTS = ReceiverConfig(case=Path("."), inbox=Path("."))
REFRESH_MS = 250
ModelIndex = QModelIndex | QPersistentModelIndex
RecordRole = Qt.ItemDataRole.UserRole + 1


def _visible(text: str) -> str:
    """Control and bidirectional characters made visible (text from the network)."""
    out = []
    for c in text:
        if c in "\n\t":
            out.append(c)
        elif (
            not c.isprintable()
            or c in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


class RequestLogModel(QAbstractTableModel):
    """The last ``MAX_REQUESTS`` requests, newest first."""

    COLUMNS = ("Time", "From", "Method", "Path", "Status", "Size", "ms", "Outcome", "Reason")

    def __init__(self, parent: Any = None, limit: int = MAX_REQUESTS) -> None:
        super().__init__(parent)
        self._rows: deque[RequestRecord] = deque()
        self.limit = limit

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def record(self, row: int) -> RequestRecord:
        return self._rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        if role == RecordRole:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            values = (
                r.time[11:23],
                r.remote,
                r.method,
                _visible(r.path),
                str(r.status),
                str(r.size),
                f"{r.latency_ms:.1f}",
                r.outcome,
                _visible(r.reason or ""),
            )
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 8 and r.reason:
            return _visible(r.reason).replace("&", "&amp;").replace("<", "&lt;")
        return None

    def add(self, record: RequestRecord) -> None:
        if len(self._rows) >= self.limit:
            last = len(self._rows) - 1
            self.beginRemoveRows(QModelIndex(), last, last)
            self._rows.pop()
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.appendleft(record)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()


class OutcomeFilter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.outcome: str | None = None

    def set_outcome(self, outcome: str | None) -> None:
        self.beginFilterChange()
        self.outcome = outcome
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: ModelIndex) -> bool:
        if self.outcome is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, RequestLogModel)
        return model.record(row).outcome == self.outcome


def describe(record: RequestRecord) -> str:
    """The detail pane's text: the request, headers (token masked), body, answer."""
    lines = [
        f"{record.time}  {record.remote}  {record.method} {_visible(record.path)}",
        f"status {record.status} · {record.outcome}"
        + (f" · {_visible(record.reason)}" if record.reason else ""),
        f"auth: {record.auth} · body {record.size} bytes · {record.latency_ms:.1f} ms",
    ]
    if record.message_id:
        lines.append(f"message id: {record.message_id}")
    if record.file:
        lines.append(f"kept as: {record.file}")
    lines.append("")
    lines.append("Headers")
    lines.extend(f"  {_visible(k)}: {_visible(v)}" for k, v in record.headers)
    lines.append("")
    lines.append("Body as received" + (" (first 16 KB)" if record.size > len(record.body) else ""))
    lines.append(_visible(record.body.decode("utf-8", errors="replace")))
    lines.append("")
    lines.append("Answer")
    lines.append(_visible(record.answer))
    return "\n".join(lines)


class WatchRow(QWidget):
    stopRequested = Signal(object)  # the FolderWatch

    def __init__(self, watch: FolderWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watch = watch
        self.imported = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton("Stop", self)
        self.button.setAccessibleName(f"Stop watching {watch.folder}")
        self.button.clicked.connect(self._on_stop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.update_text()

    def update_text(self) -> None:
        how = " (polling)" if self.watch.watcher.polling else ""
        self.label.setText(f"{self.watch.folder}{how} — {self.imported} imported")

    def _on_stop(self) -> None:
        self.stopRequested.emit(self.watch)


class ReceiverPanel(QDockWidget):
    """The Receiver dock."""

    messagesStored = Signal(object)  # set[str]: conversations that received messages
    runningChanged = Signal(bool)
    storedChanged = Signal(int)  # messages stored since the receiver started

    def __init__(self, parent: QWidget | None = None, settings: AppSettings | None = None) -> None:
        super().__init__("Receiver", parent)
        self.setObjectName("ReceiverPanel")
        self.app_settings = settings
        self.case_path: Path | None = None
        self.info: ReceiverInfo | None = None
        self.stored = 0
        self.runner = ReceiverRunner(self)
        self.runner.started.connect(self._on_started)
        self.runner.failed.connect(self._on_failed)
        self.runner.stopped.connect(self._on_stopped)
        self.runner.request.connect(self._on_request)
        self.watches: list[FolderWatch] = []
        self._watch_rows: dict[FolderWatch, WatchRow] = {}
        # Conversations that received messages are handed on at most every REFRESH_MS
        # (together): at the platform's pace a refresh per message would be wasted work.
        self._touched: set[str] = set()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._emit_touched)

        body = QWidget(self)
        outer = QVBoxLayout(body)
        form = QFormLayout()
        self._browse_buttons: list[QPushButton] = []
        self.host = QLineEdit("127.0.0.1", body)
        self.host.setToolTip("Address to listen on; another than 127.0.0.1 needs a token")
        self.port = QSpinBox(body)
        self.port.setRange(0, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setToolTip("0: any free port")
        self.path = QLineEdit("/", body)
        self.path.setToolTip("URL path that accepts POSTs; other paths answer 404")
        self.token = QLineEdit(body)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("none (anyone on this machine may post)")
        self.token.setToolTip(
            "Require 'Authorization: Bearer TOKEN'. Not remembered: use a token file for that."
        )
        self.token_file = QLineEdit(body)
        self.token_file.setPlaceholderText("or a file that holds the token")
        self.tls = QComboBox(body)
        self.tls.addItems(["No TLS (HTTP)", "Self-signed certificate", "Certificate files"])
        self.cert = QLineEdit(body)
        self.cert.setPlaceholderText("certificate (PEM)")
        self.key = QLineEdit(body)
        self.key.setPlaceholderText("private key (PEM)")
        self.max_body = QLineEdit("32MB", body)
        self.max_body.setToolTip(
            "Largest body accepted, also once decompressed: a byte count, or e.g. 512KB, 32MB"
        )
        self.max_connections = QSpinBox(body)
        self.max_connections.setRange(1, 100_000)
        self.max_connections.setValue(DEFAULTS.max_connections)
        self.max_connections.setToolTip("Clients at once; more are answered 503")
        self.strict = QCheckBox("Refuse invalid documents (422) instead of quarantining", body)
        self.inbox = QLineEdit(body)
        self.inbox.setPlaceholderText("beside the case (CASE.inbox)")
        self.public = QCheckBox("Allow other addresses without a token (unsafe)", body)
        self.public.setToolTip("Not remembered: choose it each time you mean it")
        # fault injection, for testing a sender
        self.respond = QSpinBox(body)
        self.respond.setRange(NORMAL_ANSWERS, 599)
        self.respond.setSpecialValueText("normal answers")
        self.respond.setToolTip("Answer this status (a 2xx status still stores first)")
        self.delay = QSpinBox(body)
        self.delay.setRange(0, 600_000)
        self.delay.setSuffix(" ms")
        self.delay.setToolTip("Wait this long before answering (after storing)")
        self.fail_rate = QDoubleSpinBox(body)
        self.fail_rate.setRange(0, 100)
        self.fail_rate.setDecimals(1)
        self.fail_rate.setSuffix(" % answered 503")
        self.fail_rate.setToolTip("Answer 503 to this share of requests, without storing them")
        form.addRow("Address", self.host)
        form.addRow("Port", self.port)
        form.addRow("Path", self.path)
        form.addRow("Token", self.token)
        form.addRow("", self._with_browse(self.token_file, "Token file", body))
        form.addRow("TLS", self.tls)
        self.cert_row = self._with_browse(self.cert, "TLS certificate", body)
        self.key_row = self._with_browse(self.key, "TLS private key", body)
        form.addRow("", self.cert_row)
        form.addRow("", self.key_row)
        form.addRow("Max body", self.max_body)
        form.addRow("Max connections", self.max_connections)
        form.addRow("Inbox", self._with_browse(self.inbox, "Inbox", body, folder=True))
        form.addRow("", self.strict)
        form.addRow("", self.public)
        form.addRow("Test: answer", self.respond)
        form.addRow("Test: delay", self.delay)
        form.addRow("Test: fail", self.fail_rate)
        self.tls.currentIndexChanged.connect(self._on_tls_changed)
        self._on_tls_changed()
        outer.addLayout(form)
        self._settings = [
            self.host,
            self.port,
            self.path,
            self.token,
            self.token_file,
            self.tls,
            self.cert,
            self.key,
            self.max_body,
            self.max_connections,
            self.strict,
            self.inbox,
            self.public,
            self.respond,
            self.delay,
            self.fail_rate,
        ]
        self._settings.extend(self._browse_buttons)

        row = QHBoxLayout()
        self.start_button = QPushButton("Start", body)
        self.start_button.clicked.connect(self.toggle)
        self.status = QLabel("Stopped", body)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        row.addWidget(self.start_button)
        row.addWidget(self.status, 1)
        outer.addLayout(row)

        row = QHBoxLayout()
        self.url = QLineEdit(body)
        self.url.setReadOnly(True)
        self.url.setPlaceholderText("URL (when running)")
        self.copy_button = QPushButton("Copy", body)
        self.copy_button.setAccessibleName("Copy the URL")
        self.copy_button.clicked.connect(self.copy_url)
        row.addWidget(self.url, 1)
        row.addWidget(self.copy_button)
        outer.addLayout(row)
        self.cert_box = QWidget(body)
        row = QHBoxLayout(self.cert_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.fingerprint = QLineEdit(self.cert_box)
        self.fingerprint.setReadOnly(True)
        self.fingerprint.setPlaceholderText("TLS certificate SHA-256 fingerprint")
        self.fingerprint.setAccessibleName("TLS certificate SHA-256 fingerprint")
        self.copy_fingerprint_button = QPushButton("Copy", self.cert_box)
        self.copy_fingerprint_button.setAccessibleName("Copy the certificate fingerprint")
        self.copy_fingerprint_button.clicked.connect(self.copy_fingerprint)
        self.save_cert_button = QPushButton("Save certificate…", self.cert_box)
        self.save_cert_button.setToolTip(
            "Save the certificate (never its key) for a client to trust: send --ca FILE"
        )
        self.save_cert_button.clicked.connect(self.ask_save_certificate)
        row.addWidget(self.fingerprint, 1)
        row.addWidget(self.copy_fingerprint_button)
        row.addWidget(self.save_cert_button)
        outer.addWidget(self.cert_box)

        row = QHBoxLayout()
        row.addWidget(QLabel("Requests", body))
        self.filter = QComboBox(body)
        self.filter.addItem("All outcomes", None)
        for o in OUTCOMES:
            self.filter.addItem(o, o)
        self.filter.currentIndexChanged.connect(self._on_filter)
        row.addStretch(1)
        row.addWidget(self.filter)
        outer.addLayout(row)

        self.model = RequestLogModel(self)
        self.proxy = OutcomeFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(body)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # fixed widths, sized once from the first request: sizing to contents would measure
        # every row again on each new request
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.detail = QPlainTextEdit(body)
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a request to see its headers, body and answer.")
        split = QSplitter(Qt.Orientation.Vertical, body)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        outer.addWidget(split, 1)

        row = QHBoxLayout()
        row.addWidget(QLabel("Watched folders", body))
        row.addStretch(1)
        self.watch_poll = QCheckBox("Poll (network shares)", body)
        self.watch_poll.setToolTip(
            "Look for new files every half second instead of waiting for file events, which "
            "network shares may not deliver (watch --poll). Applies to folders watched from "
            "now on."
        )
        row.addWidget(self.watch_poll)
        outer.addLayout(row)
        self.watch_box = QVBoxLayout()
        self.no_watches = QLabel("None — File ▸ Watch Folder… adds one.", body)
        self.watch_box.addWidget(self.no_watches)
        outer.addLayout(self.watch_box)
        self.setWidget(body)
        self._set_running_ui(False)
        self._recall()

    def _with_browse(
        self, edit: QLineEdit, title: str, parent: QWidget, *, folder: bool = False
    ) -> QWidget:
        """``edit`` with a "…" button that picks a file (or folder) into it."""
        box = QWidget(parent)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        button = QPushButton("…", box)
        button.setAccessibleName(f"Choose the {title.lower()}")
        button.setToolTip(f"Choose the {title.lower()}")

        def browse() -> None:
            start = edit.text().strip()
            if folder:
                chosen = QFileDialog.getExistingDirectory(self, title, start)
            else:
                chosen, _ = QFileDialog.getOpenFileName(self, title, start)
            if chosen:
                edit.setText(chosen)

        button.clicked.connect(browse)
        row.addWidget(edit, 1)
        row.addWidget(button)
        self._browse_buttons.append(button)
        return box

    # -- remembered settings ----------------------------------------------------------------------
    def _remembered_edits(self) -> dict[str, QLineEdit]:
        return {
            "host": self.host,
            "path": self.path,
            "token_file": self.token_file,
            "cert": self.cert,
            "key": self.key,
            "max_body": self.max_body,
            "inbox": self.inbox,
        }

    def _remembered_numbers(self) -> dict[str, QSpinBox | QDoubleSpinBox]:
        return {
            "port": self.port,
            "max_connections": self.max_connections,
            "respond": self.respond,
            "delay_ms": self.delay,
            "fail_percent": self.fail_rate,
        }

    def _recall(self) -> None:
        """Put back the settings of the last start (the token itself and the unsafe
        "without a token" choice are never remembered)."""
        st = self.app_settings
        if st is None:
            return
        for key, edit in self._remembered_edits().items():
            if st.qs.contains(SETTINGS_GROUP + key):
                edit.setText(st.text(SETTINGS_GROUP + key))
        for key, box in self._remembered_numbers().items():
            text = st.text(SETTINGS_GROUP + key)
            try:
                value = float(text)
            except ValueError:
                continue
            if isinstance(box, QSpinBox):
                box.setValue(int(value))
            else:
                box.setValue(value)
        mode = st.text(SETTINGS_GROUP + "tls")
        if mode.isdigit() and int(mode) < self.tls.count():
            self.tls.setCurrentIndex(int(mode))
        self.strict.setChecked(st.flag(SETTINGS_GROUP + "strict"))
        self.watch_poll.setChecked(st.flag(SETTINGS_GROUP + "watch_poll"))

    def _remember(self) -> None:
        st = self.app_settings
        if st is None:
            return
        for key, edit in self._remembered_edits().items():
            st.qs.setValue(SETTINGS_GROUP + key, edit.text().strip())
        for key, box in self._remembered_numbers().items():
            st.qs.setValue(SETTINGS_GROUP + key, str(box.value()))
        st.qs.setValue(SETTINGS_GROUP + "tls", str(self.tls.currentIndex()))
        st.set_flag(SETTINGS_GROUP + "strict", self.strict.isChecked())
        st.sync()

    # -- state ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.runner.active

    @property
    def active(self) -> bool:
        """Something would stop if the window closed."""
        return self.running or bool(self.watches)

    def set_case(self, path: Path | None) -> None:
        """The window opened another case: live sources of the old one stop first."""
        if path == self.case_path:
            return
        self.stop_all(wait=True)
        self.case_path = path
        self.start_button.setEnabled(path is not None)

    def config(self) -> ReceiverConfig:
        """The settings as a ReceiverConfig; raises ConfigError with what to correct."""
        if self.case_path is None:
            raise ConfigError("open or create a case first")
        tls = self.tls.currentIndex()
        if tls == 2 and not (self.cert.text().strip() and self.key.text().strip()):
            raise ConfigError("give the certificate and key files, or choose another TLS mode")
        inbox_text = self.inbox.text().strip()
        token = self.token.text().strip() or None
        token_file = self.token_file.text().strip()
        if token_file:
            if token is not None:
                raise ConfigError("give a token or a token file, not both")
            token = read_token_file(Path(token_file))
        cfg = ReceiverConfig(
            case=self.case_path,
            inbox=Path(inbox_text).expanduser() if inbox_text else default_inbox(self.case_path),
            host=self.host.text().strip() or "127.0.0.1",
            port=self.port.value(),
            path=normalise_path(self.path.text().strip() or "/"),
            token=token,
            tls_self_signed=tls == 1,
            tls_cert=Path(self.cert.text().strip()).expanduser() if tls == 2 else None,
            tls_key=Path(self.key.text().strip()).expanduser() if tls == 2 else None,
            max_body=parse_size(self.max_body.text()),
            strict=self.strict.isChecked(),
            allow_public_without_token=self.public.isChecked(),
            respond=self.respond.value() if self.respond.value() != NORMAL_ANSWERS else None,
            delay_ms=self.delay.value(),
            fail_rate=self.fail_rate.value() / 100,
            max_connections=self.max_connections.value(),
        )
        cfg.validate()
        return cfg

    # -- start / stop -----------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        try:
            cfg = self.config()
        except ConfigError as exc:
            self.status.setText(str(exc))
            return
        self._remember()
        self.stored = 0
        self.storedChanged.emit(0)
        self.status.setText("Starting (importing what the inbox holds)…")
        self._set_running_ui(True)
        self.start_button.setEnabled(False)
        self.runner.start(cfg)

    def stop(self) -> None:
        self.status.setText("Stopping: requests in flight finish first…")
        self.start_button.setEnabled(False)
        self.runner.stop()

    def _on_started(self, info: ReceiverInfo) -> None:
        self.start_button.setEnabled(True)
        self.info = info
        self.url.setText(info.url)
        self.fingerprint.setText(info.fingerprint or "")
        self.cert_box.setVisible(bool(info.fingerprint))
        self.save_cert_button.setVisible(bool(info.cert_pem) and self.tls.currentIndex() == 1)
        caught = info.caught_up
        note = f"; imported {caught.files} inbox files left from before" if caught.files else ""
        self.status.setText(f"Running{note}")
        self._note_touched(caught.conversations)
        self.runningChanged.emit(True)

    def _on_failed(self, reason: str) -> None:
        self._set_running_ui(False)
        self.status.setText(f"Not running: {reason}")

    def _on_stopped(self) -> None:
        self._set_running_ui(False)
        self.status.setText(f"Stopped ({self.stored} messages stored)")
        self.runningChanged.emit(False)

    def _set_running_ui(self, running: bool) -> None:
        for w in self._settings:
            w.setEnabled(not running)
        if not running:
            self._on_tls_changed()
            self.info = None
            self.url.clear()
            self.fingerprint.clear()
            self.cert_box.setVisible(False)
        self.start_button.setText("Stop" if running else "Start")
        self.start_button.setEnabled(self.case_path is not None)

    def _on_tls_changed(self) -> None:
        files = self.tls.currentIndex() == 2
        self.cert_row.setVisible(files)
        self.key_row.setVisible(files)

    def copy_url(self) -> None:
        if self.url.text():
            QGuiApplication.clipboard().setText(self.url.text())

    def copy_fingerprint(self) -> None:
        if self.fingerprint.text():
            QGuiApplication.clipboard().setText(self.fingerprint.text())

    def ask_save_certificate(self) -> None:
        if self.info is None or not self.info.cert_pem:
            return
        start = (
            (self.inbox.text().strip() or str(self._inbox_guess())) + "/" + SELF_SIGNED_CERT_FILE
        )
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Certificate", start, "PEM certificate (*.pem *.crt);;All files (*)"
        )
        if path:
            self.save_certificate(Path(path))

    def _inbox_guess(self) -> Path:
        return default_inbox(self.case_path) if self.case_path is not None else Path.home()

    def save_certificate(self, path: Path) -> bool:
        """Write the running receiver's certificate (never its key) to ``path``."""
        if self.info is None or not self.info.cert_pem:
            return False
        from msgcopy_viewer.receiver.tls import save_certificate  # (cryptography: when used)

        try:
            save_certificate(self.info.cert_pem, path)
        except (OSError, ConfigError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            dialogs.show_warning(self, "Cannot save the certificate", f"{path}: {reason}")
            return False
        self.status.setText(
            f"Certificate saved to {path} (a client trusts it with: send --ca FILE)"
        )
        return True

    # -- requests ---------------------------------------------------------------------------------
    def _on_request(self, record: RequestRecord) -> None:
        self.model.add(record)
        if self.model.rowCount() == 1:
            self.table.resizeColumnsToContents()
        if record.outcome == "stored":
            self.stored += record.new_messages or 1
            self.storedChanged.emit(self.stored)
        self._note_touched(record.conversations)

    def _note_touched(self, conversations: Iterable[str]) -> None:
        self._touched.update(conversations)
        if self._touched and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _emit_touched(self) -> None:
        touched, self._touched = self._touched, set()
        if touched:
            self.messagesStored.emit(touched)

    def _on_filter(self) -> None:
        self.proxy.set_outcome(self.filter.currentData())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = current.data(RecordRole) if current.isValid() else None
        self.detail.setPlainText(describe(record) if record is not None else "")

    # -- watched folders --------------------------------------------------------------------------
    def ask_watch_folder(self) -> None:
        if self.case_path is None:
            dialogs.show_warning(self, "No case", "Open or create a case first.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Watch Folder")
        if folder:
            self.watch_folder(Path(folder))

    def watch_folder(self, folder: Path) -> FolderWatch | None:
        if self.case_path is None:
            return None
        if any(w.folder == folder for w in self.watches):
            return None
        try:
            watch = FolderWatch(self.case_path, folder, self, poll=self.watch_poll.isChecked())
            if self.app_settings is not None:
                self.app_settings.set_flag(
                    SETTINGS_GROUP + "watch_poll", self.watch_poll.isChecked()
                )
                self.app_settings.sync()
        except WatchError as exc:
            dialogs.show_warning(self, "Cannot watch the folder", str(exc))
            return None
        watch.arrived.connect(self._on_watch_event)
        watch.failed.connect(self._on_watch_failed)
        self.watches.append(watch)
        row = WatchRow(watch, self.widget())
        row.stopRequested.connect(self.stop_watch)
        self._watch_rows[watch] = row
        self.watch_box.addWidget(row)
        self.no_watches.hide()
        watch.start()
        self.show()
        return watch

    def stop_watch(self, watch: FolderWatch) -> None:
        watch.stop()
        if watch in self.watches:
            self.watches.remove(watch)
        row = self._watch_rows.pop(watch, None)
        if row is not None:
            row.deleteLater()
        self.no_watches.setVisible(not self.watches)

    def _on_watch_event(self, event: WatchEvent) -> None:
        for watch, row in self._watch_rows.items():
            if str(watch.folder.absolute()) == event.folder and event.outcome == "imported":
                row.imported += 1
                row.update_text()
        self._note_touched(event.conversations)

    def _on_watch_failed(self, reason: str) -> None:
        dialogs.show_warning(self, "Folder watch stopped", reason)

    # -- closing ----------------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """Ask before closing while something runs (True: go ahead)."""
        if not self.active:
            return True
        what = "The receiver is running" if self.running else "Folders are being watched"
        return dialogs.ask_yes_no(
            self,
            "Live sources running",
            f"{what}. Stop and close? Requests in flight are finished and stored first; "
            "every message already acknowledged is in the case.",
        )

    def stop_all(self, *, wait: bool) -> None:
        for watch in list(self.watches):
            self.stop_watch(watch)
        if self.running:
            self.runner.stop(wait=wait)

    def shutdown(self) -> None:
        """Stop everything and wait for it (the window is closing)."""
        self.stop_all(wait=True)
        self.runner.shutdown()


class ReceiverIndicator(QLabel):
    """Status-bar text: whether the receiver runs and how many messages it stored."""

    def __init__(self, panel: ReceiverPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName("Receiver status")
        self._running = False
        self._stored = 0
        panel.runningChanged.connect(self._on_running)
        panel.storedChanged.connect(self._on_stored)
        self.hide()

    def _on_running(self, running: bool) -> None:
        self._running = running
        self._update()

    def _on_stored(self, n: int) -> None:
        self._stored = n
        self._update()

    def _update(self) -> None:
        self.setVisible(self._running)
        self.setText(f"● Receiver running · {self._stored} stored")
