"""Search results, computed off the GUI thread, paged with a keyset, stale answers dropped."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)

from msgcopy_viewer.store.connection import open_reader
from msgcopy_viewer.store.errors import StorageError
from msgcopy_viewer.store.search import (
    ParsedQuery,
    SearchFilters,
    SearchHit,
    parse_query,
    search,
    strip_marks,
)
from msgcopy_viewer.ui.models.base import RowListModel
from msgcopy_viewer.ui.models.roles import (
    ID_ROLE,
    ROW_ROLE,
    SNIPPET_ROLE,
    TIME_TEXT_ROLE,
    tooltip_html,
)

log = logging.getLogger(__name__)

PAGE = 100
Index = QModelIndex | QPersistentModelIndex


class _Signals(QObject):
    done = Signal(int, object, bool)  # token, list[SearchHit] | str (error), append
    # payload signals are Signal(object) per the conventions


class _SearchJob(QRunnable):
    def __init__(
        self,
        signals: _Signals,
        token: int,
        path: Path,
        query: ParsedQuery,
        filters: SearchFilters,
        before: tuple[int, int] | None,
        append: bool,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._signals = signals
        self._args = (token, path, query, filters, before, append)

    def run(self) -> None:
        token, path, query, filters, before, append = self._args
        result: object
        try:
            conn = open_reader(path)
            try:
                result = search(conn, query, filters, before=before, limit=PAGE)
            finally:
                conn.close()
        except StorageError as exc:  # the environment's: say what it is
            log.warning("search failed: %s", exc)
            result = f"Search failed: {exc}"
        except Exception as exc:  # a bug: logged with its traceback, shown as one
            log.exception("search failed")
            result = f"Search failed because of an internal error ({type(exc).__name__})."
        self._signals.done.emit(token, result, append)


class SearchResultModel(RowListModel):
    """Call ``run(text, filters)``; rows arrive asynchronously (``finished`` is emitted)."""

    started = Signal()
    finished = Signal(int)  # number of rows now in the model
    failed = Signal(str)

    def __init__(self, tz=None, parent=None) -> None:
        super().__init__(tz, parent)
        self._path: Path | None = None
        self._token = 0
        self._busy = False
        self._exhausted = True
        self._query: ParsedQuery | None = None
        self._filters = SearchFilters()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)

    def set_case_path(self, path: Path | None) -> None:
        self._path = path
        self.clear()

    def clear(self) -> None:
        self._token += 1
        self._busy = False
        self._exhausted = True
        self._query = None
        if self._rows:
            self.beginResetModel()
            self._rows = []
            self.endResetModel()

    @property
    def token(self) -> int:
        return self._token

    def run(self, text: str, filters: SearchFilters | None = None) -> int:
        """Start a search; returns its token. Results of earlier runs are dropped."""
        self._token += 1
        self._query = parse_query(text)
        self._filters = filters or SearchFilters()
        if self._path is None or (
            self._query.empty and (self._query.terms or self._filters.is_empty())
        ):
            self.clear()
            self.finished.emit(0)
            return self._token
        self._busy = True
        self._exhausted = False
        self.started.emit()
        self._submit(before=None, append=False)
        return self._token

    def _submit(self, before: tuple[int, int] | None, append: bool) -> None:
        assert self._path is not None and self._query is not None
        self._pool.start(
            _SearchJob(
                self._signals, self._token, self._path, self._query, self._filters, before, append
            )
        )

    def _on_done(self, token: int, result: object, append: bool) -> None:
        if token != self._token:
            return  # stale
        self._busy = False
        if isinstance(result, str):
            self._exhausted = True
            self.failed.emit(result)
            return
        hits: list[SearchHit] = result  # type: ignore[assignment]
        self._exhausted = len(hits) < PAGE
        if append:
            if hits:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
                self._rows.extend(hits)
                self.endInsertRows()
        else:
            self.beginResetModel()
            self._rows = list(hits)
            self.endResetModel()
        self.finished.emit(len(self._rows))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._busy and bool(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._busy = True
        self._submit(before=self._rows[-1].key, append=True)

    def hit(self, row: int) -> SearchHit | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def wait(self) -> None:
        """Wait for running searches (tests, shutdown)."""
        self._pool.clear()
        self._pool.waitForDone()

    def shutdown(self) -> None:
        self._token += 1
        self.wait()

    # -- QAbstractListModel ----------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        h = self._row(index)
        if h is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return strip_marks(h.snippet)
        if role == SNIPPET_ROLE:
            return h.snippet
        if role == ROW_ROLE:
            return h
        m = h.message
        if role == ID_ROLE:
            return m.rowid
        if role == TIME_TEXT_ROLE:
            if self._tz is None:
                return m.start_raw
            return self._tz.datetime_text(m.start_ms, m.start_raw)
        if role == Qt.ItemDataRole.ToolTipRole:  # the raw startTime is evidence: escaped
            if self._tz is None:
                return tooltip_html(m.start_raw)
            return tooltip_html(self._tz.tooltip(m.start_ms, m.start_raw))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            who = "Sent to" if m.direction == "mo" else "Received from"
            when = (
                self._tz.datetime_text(m.start_ms, m.start_raw)
                if self._tz is not None
                else m.start_raw
            )
            return f"{who} {', '.join(m.participants)}, {when}: {strip_marks(h.snippet)}"
        return None
