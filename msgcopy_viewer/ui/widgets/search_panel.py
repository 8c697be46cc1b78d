"""Search field (Ctrl+F), filters and the results list; activating a result jumps to it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.store.search import SearchFilters
from msgcopy_viewer.ui.delegates.conversation_delegate import SearchResultDelegate
from msgcopy_viewer.ui.models.roles import ROW_ROLE, item_data
from msgcopy_viewer.ui.models.search_model import SearchResultModel

DEBOUNCE_MS = 180
# A date edit showing this date shows nothing: "no date chosen" (filters start empty).
NO_DATE = QDate(1900, 1, 1)


class SearchPanel(QWidget):
    """The search bar and filters. ``results_view`` is placed by the Browser (it replaces the
    conversation list while a search is active)."""

    resultActivated = Signal(object)  # SearchHit
    activeChanged = Signal(bool)  # True while a query or a filter is set

    def __init__(self, tz, parent=None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._scope_ids: list[int] | None = None
        self.model = SearchResultModel(tz, self)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Search text, subjects, contacts, numbers  (Ctrl+F)")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search messages")
        self.field.setToolTip(
            'Words match by prefix with *, "quoted words" as a phrase; digits also match '
            "phone numbers. Esc clears."
        )
        self.filter_button = QToolButton(self)
        self.filter_button.setText("Filters")
        self.filter_button.setCheckable(True)
        self.filter_button.setAccessibleName("Show search filters")
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # may quote the query or an error
        self.status.setAccessibleName("Search status")

        # filters
        self.filters_box = QWidget(self)
        grid = QGridLayout(self.filters_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.from_check = QCheckBox("From", self.filters_box)
        self.from_date = QDateEdit(self.filters_box)
        self.to_check = QCheckBox("To", self.filters_box)
        self.to_date = QDateEdit(self.filters_box)
        for check, edit, name in (
            (self.from_check, self.from_date, "From date"),
            (self.to_check, self.to_date, "To date"),
        ):
            # empty until a date is chosen; choosing one turns its filter on
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText(" ")
            edit.setDate(NO_DATE)
            edit.setAccessibleName(name)
            edit.calendarWidget().installEventFilter(self)
            check.setAccessibleName(f"Filter by {name.lower()}")
        self.from_date.dateChanged.connect(self._on_from_date)
        self.to_date.dateChanged.connect(self._on_to_date)
        self.direction = QComboBox(self.filters_box)
        self.direction.setAccessibleName("Direction filter")
        for text, key in (("Any direction", None), ("Sent (mo)", "mo"), ("Received (mt)", "mt")):
            self.direction.addItem(text, key)
        self.kind = QComboBox(self.filters_box)
        self.kind.setAccessibleName("Message type filter")
        for text, key in (("SMS and MMS", None), ("SMS only", "sms"), ("MMS only", "mms")):
            self.kind.addItem(text, key)
        self.attachments = QCheckBox("Has attachments", self.filters_box)
        self.attachments.setAccessibleName("Only messages with attachments")
        self.warnings = QCheckBox("Warnings only", self.filters_box)
        self.warnings.setAccessibleName("Only messages with warnings")
        self.tagged = QComboBox(self.filters_box)
        self.tagged.setAccessibleName("Tag filter")
        self.tagged.addItem("Any tag or none", None)
        self.has_note = QCheckBox("Has note", self.filters_box)
        self.has_note.setAccessibleName("Only messages with a note")
        self.bookmarked = QCheckBox("Bookmarked", self.filters_box)
        self.bookmarked.setAccessibleName("Only bookmarked messages")
        self.scope = QCheckBox("Selected subscribers only", self.filters_box)
        self.scope.setAccessibleName("Only the selected subscribers")
        grid.addWidget(self.from_check, 0, 0)
        grid.addWidget(self.from_date, 0, 1)
        grid.addWidget(self.to_check, 0, 2)
        grid.addWidget(self.to_date, 0, 3)
        grid.addWidget(self.direction, 1, 0, 1, 2)
        grid.addWidget(self.kind, 1, 2, 1, 2)
        grid.addWidget(self.attachments, 2, 0, 1, 2)
        grid.addWidget(self.warnings, 2, 2, 1, 2)
        grid.addWidget(self.scope, 3, 0, 1, 4)
        grid.addWidget(self.tagged, 4, 0, 1, 2)
        grid.addWidget(self.has_note, 4, 2)
        grid.addWidget(self.bookmarked, 4, 3)
        self.filters_box.setVisible(False)
        self.filter_button.toggled.connect(self.filters_box.setVisible)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.field, 1)
        top.addWidget(self.filter_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 2)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.filters_box)
        lay.addWidget(self.status)
        self.status.setVisible(False)

        # results list
        self.results_view = QListView()
        self.results_view.setModel(self.model)
        self.results_view.setItemDelegate(SearchResultDelegate(self.results_view))
        self.results_view.setUniformItemSizes(True)
        self.results_view.setAccessibleName("Search results")
        # several results may be selected, to tag them at once (Ctrl+1 … Ctrl+9)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.activated.connect(self._on_activated)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_now)
        self.field.textChanged.connect(self._schedule)
        self.field.returnPressed.connect(self._on_return)
        for w in (self.from_check, self.to_check, self.attachments, self.warnings, self.scope):
            w.toggled.connect(self._schedule)
        for w in (self.has_note, self.bookmarked):
            w.toggled.connect(self._schedule)
        for date_edit in (self.from_date, self.to_date):
            date_edit.dateChanged.connect(self._schedule)
        for combo in (self.direction, self.kind, self.tagged):
            combo.currentIndexChanged.connect(self._schedule)
        self.model.started.connect(self._on_started)
        self.model.finished.connect(self._on_finished)
        self.model.failed.connect(self._on_failed)
        self._active = False

    # -- API -------------------------------------------------------------------------------
    def set_case_path(self, path) -> None:
        self.model.set_case_path(path)
        self._update_active()

    def set_subscriber_scope(self, ids: list[int] | None) -> None:
        self._scope_ids = ids
        if self.scope.isChecked():
            self._schedule()

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def clear(self) -> None:
        self.field.clear()
        for w in (self.from_check, self.to_check, self.attachments, self.warnings, self.scope):
            w.setChecked(False)
        self.from_date.setDate(NO_DATE)
        self.to_date.setDate(NO_DATE)
        self.has_note.setChecked(False)
        self.bookmarked.setChecked(False)
        self.direction.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)
        self.tagged.setCurrentIndex(0)
        self.run_now()

    def filters(self) -> SearchFilters:
        f = SearchFilters()
        zone = self._tz.tzinfo if self._tz is not None else UTC

        def day_start(d: QDate) -> int:
            local = datetime(d.year(), d.month(), d.day())
            if zone is UTC:
                return int(local.replace(tzinfo=UTC).timestamp() * 1000)
            try:
                return int(local.replace(tzinfo=zone).timestamp() * 1000)
            except (TypeError, ValueError):  # pragma: no cover - system-local fallback
                return int(local.astimezone().timestamp() * 1000)

        if self.from_check.isChecked() and self.from_date.date() != NO_DATE:
            f.from_ms = day_start(self.from_date.date())
        if self.to_check.isChecked() and self.to_date.date() != NO_DATE:
            f.to_ms = day_start(self.to_date.date().addDays(1))
        f.direction = self.direction.currentData()
        f.type = self.kind.currentData()
        f.has_attachments = self.attachments.isChecked()
        f.warnings_only = self.warnings.isChecked()
        f.tagged = self.tagged.currentData()
        f.has_note = self.has_note.isChecked()
        f.bookmarked = self.bookmarked.isChecked()
        if self.scope.isChecked() and self._scope_ids is not None:
            f.subscriber_ids = list(self._scope_ids)
        return f

    def set_tag_names(self, names: list[str]) -> None:
        """The tags the tag filter offers (the case's list); keeps the chosen one."""
        chosen = self.tagged.currentData()
        self.tagged.blockSignals(True)
        try:
            while self.tagged.count() > 1:
                self.tagged.removeItem(1)
            for name in names:
                self.tagged.addItem(f"Tagged {name}", name)
            at = self.tagged.findData(chosen) if chosen is not None else 0
            self.tagged.setCurrentIndex(max(0, at))
        finally:
            self.tagged.blockSignals(False)
        if chosen is not None and self.tagged.currentData() != chosen:
            self._schedule()

    def set_time_range(self, from_ms: int, to_ms: int) -> None:
        """Filter to the days from ``from_ms`` up to ``to_ms`` (exclusive), in the zone
        shown (the timeline's drag); shows the filters and runs the search."""
        zone = self._tz.tzinfo if self._tz is not None else UTC
        first = datetime.fromtimestamp(from_ms / 1000, zone)
        last = datetime.fromtimestamp(max(from_ms, to_ms - 1) / 1000, zone)
        self.from_date.setDate(QDate(first.year, first.month, first.day))
        self.to_date.setDate(QDate(last.year, last.month, last.day))
        self.from_check.setChecked(True)
        self.to_check.setChecked(True)
        self.filter_button.setChecked(True)
        self.run_now()

    def is_active(self) -> bool:
        return bool(self.field.text().strip()) or not self.filters().is_empty()

    def run_now(self) -> None:
        self._timer.stop()
        self._update_active()
        if self._active:
            self.model.run(self.field.text(), self.filters())
        else:
            self.model.clear()
            self.status.setVisible(False)

    def shutdown(self) -> None:
        self._timer.stop()
        self.model.shutdown()

    # -- internals -------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down and self.field.hasFocus() and self.model.rowCount():
            self.results_view.setFocus()
            if not self.results_view.currentIndex().isValid():
                self.results_view.setCurrentIndex(self.model.index(0, 0))
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_from_date(self, date: QDate) -> None:
        self.from_check.setChecked(date != NO_DATE)

    def _on_to_date(self, date: QDate) -> None:
        self.to_check.setChecked(date != NO_DATE)

    def eventFilter(self, obj, event) -> bool:
        # an empty date's calendar opens at this month, not at the placeholder's 1900
        if event.type() == QEvent.Type.Show:
            for edit in (self.from_date, self.to_date):
                if obj is edit.calendarWidget() and edit.date() == NO_DATE:
                    today = QDate.currentDate()
                    edit.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(obj, event)

    def _schedule(self, *_a: object) -> None:
        self._timer.start()

    def _on_return(self) -> None:
        if self._timer.isActive():
            self.run_now()
        elif self.model.rowCount():
            self.results_view.setFocus()
            self.results_view.setCurrentIndex(self.model.index(0, 0))

    def _update_active(self) -> None:
        active = self.is_active()
        if active != self._active:
            self._active = active
            self.activeChanged.emit(active)

    def _on_started(self) -> None:
        self.status.setText("Searching…")
        self.status.setVisible(True)

    def _on_finished(self, count: int) -> None:
        if not self._active:
            self.status.setVisible(False)
            return
        more = "+" if self.model.canFetchMore() else ""
        self.status.setText(f"{count}{more} result{'s' if count != 1 else ''}")
        self.status.setVisible(True)

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self.status.setVisible(True)

    def _on_activated(self, index) -> None:
        hit = item_data(index, ROW_ROLE)
        if hit is not None:
            self.resultActivated.emit(hit)
