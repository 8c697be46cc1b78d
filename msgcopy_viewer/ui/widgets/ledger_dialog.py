"""The import ledger: what an import batch did with every file it saw.

``LedgerModel`` pages the batch's rows in (``store.ledger.rows``, a keyset on the row id);
``LedgerFilterProxy`` filters them by outcome and text.
"""

from __future__ import annotations

import csv
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.wording import counted, plural
from msgcopy_viewer.export.atomic import atomic_text_writer
from msgcopy_viewer.store import ledger
from msgcopy_viewer.store.case import Case, CaseError
from msgcopy_viewer.store.ledger import OUTCOMES, Batch, LedgerRow
from msgcopy_viewer.ui.icons import icon
from msgcopy_viewer.ui.plain_text import plain_tooltip, set_plain_text, shown
from msgcopy_viewer.ui.widgets import dialogs

log = logging.getLogger(__name__)

PAGE_ROWS = 2000
ModelIndex = QModelIndex | QPersistentModelIndex


def batch_label(b: Batch, tz=None) -> str:
    """``#3 · 2024-07-01 12:00 · completed · inbox, more.zip +1`` (the batch selector): the
    start in the zone ``tz`` shows (a ``TimeZoneSettings``), else this computer's."""
    if tz is not None:
        when = tz.datetime_text(b.started_ms)
    else:
        when = datetime.fromtimestamp(b.started_ms / 1000).strftime("%Y-%m-%d %H:%M")
    roots = ", ".join(Path(r).name or r for r in b.roots[:2])
    if len(b.roots) > 2:
        roots += f" +{len(b.roots) - 2}"
    return f"#{b.id} · {when} · {b.status} · {roots}"


COLUMNS = ("File", "Outcome", "Reason", "Events", "New messages", "Size", "SHA-256")
COL_PATH, COL_OUTCOME, COL_REASON, COL_EVENTS, COL_NEW, COL_SIZE, COL_SHA = range(len(COLUMNS))
SHORT_COLUMNS = (COL_OUTCOME, COL_EVENTS, COL_NEW, COL_SIZE)


class LedgerModel(QAbstractTableModel):
    """The ledger rows of one batch, fetched in pages as the view needs them."""

    RowRole = Qt.ItemDataRole.UserRole + 1  # the LedgerRow
    OutcomeRole = Qt.ItemDataRole.UserRole + 2

    def __init__(
        self,
        case: Case | None = None,
        batch_id: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._case = case
        self._batch_id = batch_id
        self._rows: list[LedgerRow] = []
        self._more = case is not None and batch_id is not None
        self._rows = self._next_page()

    def set_batch(self, case: Case | None, batch_id: int | None) -> None:
        """Show another batch; its first page is loaded inside the reset."""
        self.beginResetModel()
        self._case = case
        self._batch_id = batch_id
        self._rows = []
        self._more = case is not None and batch_id is not None
        self._rows = self._next_page()
        self.endResetModel()

    def _next_page(self) -> list[LedgerRow]:
        if not self._more or self._case is None:
            return []
        assert self._batch_id is not None
        last_id = self._rows[-1].id if self._rows else 0
        fetched = ledger.rows(self._case.conn, self._batch_id, after=last_id, limit=PAGE_ROWS)
        if len(fetched) < PAGE_ROWS:
            self._more = False
        return fetched

    # -- paging ----------------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = self._next_page()
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def fetch_all(self) -> None:
        while self._more:
            self.fetchMore()

    # -- model -----------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def row_at(self, row: int) -> LedgerRow:
        return self._rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            # names and reasons come from evidence: invisible characters as tokens (the
            # copied rows and the saved CSV keep the text as it is)
            return shown(self.display_text(r, col))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_PATH:
                return plain_tooltip(f"{r.root}/{r.path}")
            if col == COL_REASON and r.reason:
                return plain_tooltip(r.reason)
            if col == COL_SHA:
                return r.sha256
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == COL_OUTCOME:
            return icon("warning") if r.outcome == "rejected" else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_EVENTS, COL_NEW, COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.RowRole:
            return r
        if role == self.OutcomeRole:
            return r.outcome
        return None

    @staticmethod
    def display_text(r: LedgerRow, col: int) -> str:
        if col == COL_PATH:
            return r.path
        if col == COL_OUTCOME:
            return r.outcome
        if col == COL_REASON:
            return r.reason or ""
        if col == COL_EVENTS:
            return str(r.events)
        if col == COL_NEW:
            return str(r.new_messages)
        if col == COL_SIZE:
            return "" if r.size is None else f"{r.size:,}"
        if col == COL_SHA:
            return r.sha256 or ""
        return ""


class LedgerFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose outcome is the chosen one (or any) and whose path/reason contains
    the filter text (case-insensitive)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._outcome: str | None = None
        self._text = ""

    def set_outcome(self, outcome: str | None) -> None:
        self.beginFilterChange()
        self._outcome = outcome or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtered(self) -> bool:
        return bool(self._outcome or self._text)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, LedgerModel):
            return True
        r = model.row_at(source_row)
        if self._outcome and r.outcome != self._outcome:
            return False
        if self._text:
            hay = f"{r.path}\n{r.reason or ''}\n{r.sha256 or ''}".casefold()
            return self._text in hay
        return True


def rows_to_tsv(rows: list[LedgerRow]) -> str:
    def clean(s: str) -> str:
        return s.replace("\t", " ").replace("\r", " ").replace("\n", " ")

    lines = [
        "\t".join(clean(LedgerModel.display_text(r, c)) for c in range(len(COLUMNS))) for r in rows
    ]
    return "\n".join(lines) + ("\n" if lines else "")


CSV_HEADER = ("path", "outcome", "reason", "events", "new_messages", "size", "sha256", "root")


def write_ledger_csv(path: Path, batch_id: int, rows: list[LedgerRow]) -> None:
    with atomic_text_writer(path, newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(("batch", *CSV_HEADER))
        for r in rows:
            w.writerow(
                (
                    batch_id,
                    r.path,
                    r.outcome,
                    r.reason or "",
                    r.events,
                    r.new_messages,
                    "" if r.size is None else r.size,
                    r.sha256 or "",
                    r.root,
                )
            )


class LedgerTableView(QTableView):
    """A table whose Copy key (Ctrl+C) copies whole selected rows, not the current cell."""

    copyRequested = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            event.accept()  # ours, even if a window-wide shortcut uses the same keys
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copyRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class LedgerDialog(QDialog):
    """Every file of an import batch with its outcome; filter, copy (Ctrl+C), export CSV."""

    def __init__(
        self,
        case_path: Path,
        batch_id: int | None = None,
        parent: QWidget | None = None,
        tz=None,
    ) -> None:
        super().__init__(parent)
        self.tz = tz  # the zone times are shown in (TimeZoneSettings), None: this computer's
        self.case_path = Path(case_path)
        self.setWindowTitle(f"Import Ledger — {self.case_path.name}")
        self.setAccessibleName("Import ledger")
        self.setSizeGripEnabled(True)
        self._case: Case | None = None
        self.batches: list[Batch] = []

        self.batch_combo = QComboBox(self)
        self.batch_combo.setAccessibleName("Import batch")
        self.batch_combo.setToolTip("Choose an import (latest first)")
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Ledger summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.setAccessibleName("Filter by outcome")
        self.outcome_combo.addItem("All outcomes", None)
        for o in OUTCOMES:
            self.outcome_combo.addItem(o.capitalize(), o)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setAccessibleName("Filter files")
        self.filter_edit.setPlaceholderText("Filter by file name, reason or SHA-256…")
        self.filter_edit.setClearButtonEnabled(True)

        self.model = LedgerModel(parent=self)
        self.proxy = LedgerFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = LedgerTableView(self)
        self.view.setAccessibleName("Ledger files")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in (
            (COL_PATH, 290),
            (COL_OUTCOME, 100),
            (COL_REASON, 420),
            (COL_EVENTS, 60),
            (COL_NEW, 105),
            (COL_SIZE, 80),
            (COL_SHA, 200),
        ):
            header.resizeSection(col, width)

        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setAccessibleName("Copy selected rows")
        self.copy_button.setToolTip("Copy the selected rows, tab-separated (Ctrl+C)")
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setAccessibleName("Export ledger as CSV")
        self.export_button.setToolTip("Save the rows shown (after filtering) as a CSV file")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        batch_label = QLabel("&Import:", self)
        batch_label.setBuddy(self.batch_combo)
        top.addWidget(batch_label)
        top.addWidget(self.batch_combo, 1)
        filters = QHBoxLayout()
        show_label = QLabel("&Show:", self)
        show_label.setBuddy(self.outcome_combo)
        filters.addWidget(show_label)
        filters.addWidget(self.outcome_combo)
        find_label = QLabel("&Filter:", self)
        find_label.setBuddy(self.filter_edit)
        filters.addWidget(find_label)
        filters.addWidget(self.filter_edit, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

        self.view.copyRequested.connect(self.copy_selection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu_at)
        self.model.rowsInserted.connect(self.fit_short_columns)
        self.copy_button.clicked.connect(self.copy_selection)
        self.export_button.clicked.connect(self.export_csv)
        self.outcome_combo.currentIndexChanged.connect(self._on_outcome_changed)
        self.filter_edit.textChanged.connect(self._on_text_changed)
        self.batch_combo.currentIndexChanged.connect(self._on_batch_changed)

        self.resize(1120, 560)
        self._open(batch_id)

    # -- loading ---------------------------------------------------------------------------
    def _open(self, batch_id: int | None) -> None:
        try:
            self._case = Case.open(self.case_path, create=False, readonly=True)
            self.batches = ledger.batches(self._case.conn)
        except CaseError as exc:
            self._case = None
            set_plain_text(self.summary, str(exc))
            return
        self.batch_combo.blockSignals(True)
        for b in self.batches:
            self.batch_combo.addItem(shown(batch_label(b, self.tz)), b.id)
        self.batch_combo.blockSignals(False)
        if not self.batches:
            self.summary.setText("This case has no imports yet.")
            return
        index = 0
        if batch_id is not None:
            found = self.batch_combo.findData(batch_id)
            index = found if found >= 0 else 0
        self.batch_combo.setCurrentIndex(index)
        self._show_batch(self.batch_combo.itemData(index))

    @property
    def batch_id(self) -> int | None:
        data = self.batch_combo.currentData()
        return int(data) if data is not None else None

    def _on_batch_changed(self, index: int) -> None:
        data = self.batch_combo.itemData(index)
        if data is not None:
            self._show_batch(int(data))

    def _show_batch(self, batch_id: int) -> None:
        if self._case is None:
            return
        info = next((b for b in self.batches if b.id == batch_id), None)
        try:
            counts = ledger.outcome_counts(self._case.conn, batch_id)
            new = ledger.new_message_count(self._case.conn, batch_id)
        except CaseError as exc:
            self.summary.setText(str(exc))
            return
        total = sum(counts.values())
        status = info.status if info else "?"
        roots = "; ".join(info.roots) if info else ""
        why = f"\nIt stopped because: {info.reason}" if info and info.reason else ""
        set_plain_text(
            self.summary,
            f"Import #{batch_id} ({status}): {counted(total, 'file', grouped=True)} — "
            f"{counts['imported']:,} imported, "
            f"{counts['duplicate']:,} duplicate, {counts['rejected']:,} rejected, "
            f"{counts['skipped']:,} skipped; {new:,} new {plural(new, 'message')}.\n"
            f"From: {roots}{why}",
        )
        self.model.set_batch(self._case, batch_id)
        if self.proxy.is_filtered():
            self.model.fetch_all()
        self.fit_short_columns()

    def fit_short_columns(self, *_rows: object) -> None:
        """Outcome, counts and size are never cut off: fitted to their header and the rows
        read so far (again when more are read). File, reason and SHA-256 are elided, the
        whole value in their tooltip and in Copy."""
        for col in SHORT_COLUMNS:
            self.view.resizeColumnToContents(col)

    # -- filtering -------------------------------------------------------------------------
    def _on_outcome_changed(self, index: int) -> None:
        self.model.fetch_all()
        self.proxy.set_outcome(self.outcome_combo.itemData(index))

    def _on_text_changed(self, text: str) -> None:
        if text.strip():
            self.model.fetch_all()
        self.proxy.set_text(text)

    def set_outcome_filter(self, outcome: str | None) -> None:
        self.outcome_combo.setCurrentIndex(max(0, self.outcome_combo.findData(outcome)))

    def visible_rows(self) -> list[LedgerRow]:
        self.model.fetch_all()
        return [
            self.proxy.data(self.proxy.index(i, 0), LedgerModel.RowRole)
            for i in range(self.proxy.rowCount())
        ]

    # -- copy / export ---------------------------------------------------------------------
    def selected_rows(self) -> list[LedgerRow]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.proxy.data(self.proxy.index(r, 0), LedgerModel.RowRole) for r in rows]

    def copy_selection(self) -> None:
        rows = self.selected_rows()
        if rows:
            QGuiApplication.clipboard().setText(rows_to_tsv(rows))

    def row_menu(self, proxy_row: int) -> QMenu | None:
        """Right-click on a row: copy the selected rows, or this row's path, reason or hash."""
        if proxy_row < 0:
            return None
        r = self.proxy.data(self.proxy.index(proxy_row, 0), LedgerModel.RowRole)
        if not isinstance(r, LedgerRow):
            return None
        menu = QMenu(self)
        rows = menu.addAction("&Copy Selected Rows")
        rows.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        rows.triggered.connect(self.copy_selection)
        for text, value in (
            ("Copy &Path", f"{r.root}/{r.path}"),
            ("Copy &Reason", r.reason or ""),
            ("Copy &SHA-256", r.sha256 or ""),
        ):
            action = menu.addAction(text)
            action.setEnabled(bool(value))
            action.setData(value)
            action.triggered.connect(self._copy_action_data)
        return menu

    def _copy_action_data(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            QGuiApplication.clipboard().setText(str(action.data()))

    def _row_menu_at(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row()):
            self.view.selectRow(index.row())
        menu = self.row_menu(index.row() if index.isValid() else -1)
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def ask_csv_path(self) -> str:
        name = f"{self.case_path.stem}-ledger-{self.batch_id}.csv"
        suggested = str(self.case_path.with_name(name))
        path, _ = QFileDialog.getSaveFileName(
            self, "Export Ledger as CSV", suggested, "CSV files (*.csv)"
        )
        return path

    def export_csv(self) -> Path | None:
        batch_id = self.batch_id
        if batch_id is None:
            return None
        name = self.ask_csv_path()
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        try:
            write_ledger_csv(path, batch_id, self.visible_rows())
        except OSError as exc:
            dialogs.show_error(self, "Export failed", f"Cannot write {path}: {exc.strerror or exc}")
            return None
        return path

    # -- closing ---------------------------------------------------------------------------
    def done(self, result: int) -> None:
        self.close_case()
        super().done(result)

    def close_case(self) -> None:
        self.model.set_batch(None, None)
        if self._case is not None:
            self._case.close()
            self._case = None
