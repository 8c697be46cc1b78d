"""A conversation as chat bubbles, with a header saying who is in it and why it is grouped.

Ctrl+F while the thread has focus opens a find bar: every match in the conversation is
counted ("3 of 17"), highlighted in the bubbles, and Enter / Shift+Enter (or F3 /
Shift+F3) go to the next / previous one, reading the page around it. "Go to date" in the
header shows the first message at or after the start of a day in the chosen zone.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.browse import (
    ConversationInfo,
    ThreadKey,
    message_at_or_after,
    thread_matches,
)
from msgcopy_viewer.store.messages import Message
from msgcopy_viewer.store.search import match_pattern
from msgcopy_viewer.ui.delegates.bubble_delegate import BubbleDelegate
from msgcopy_viewer.ui.models.roles import ROW_ROLE, item_data
from msgcopy_viewer.ui.models.thread_model import ThreadModel
from msgcopy_viewer.ui.plain_text import shown
from msgcopy_viewer.ui.timezone import TimeZoneCombo
from msgcopy_viewer.ui.widgets.dialogs import threading_rule_dialog
from msgcopy_viewer.ui.widgets.thread_actions import ThreadActions

log = logging.getLogger(__name__)

FIND_DEBOUNCE_MS = 150


def grouping_text(conv: ConversationInfo) -> str:
    """One line saying why these messages are together."""
    others = ", ".join(conv.participants) or "(unknown party)"
    if conv.is_group:
        return (
            f"Grouped: MMS between {conv.subscriber_mobile} and the same {len(conv.participants)} "
            f"participants ({others}), any direction (threading rule)"
        )
    return (
        f"Grouped: messages between {conv.subscriber_mobile} and {others}, any direction, "
        "SMS and 1:1 MMS (threading rule)"
    )


_USER_MOVES = (QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.KeyPress)
AHEAD_MS = 2.0  # time spent laying bubbles out ahead per turn of the event loop
# Background work (adding the next page, reading ahead) waits for the user to pause this
# long after a move was painted: between the repeats of a key held down (~33 ms) or the
# notches of a wheel, never in the middle of a move. When moves come faster than that, a
# turn of it is done at each move.
IDLE_MS = 10
HURRIED_MS = 25  # moves closer together than this (start to start) leave no pause
PAINTLESS_MS = 50  # the pause is counted from the move itself when nothing is painted
SOON = 3  # screens left to read at which the next page is added in a pause


class BubbleListView(QListView):
    """The bubble list: pages messages in at the end the user scrolls towards, and drops
    rows at the other end (see ThreadModel)."""

    # A page was added at one end of the window and rows may have been dropped at the
    # other; Qt may have moved the current index meanwhile (see ThreadView._after_paging).
    paged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setMouseTracking(False)
        self.setAccessibleName("Messages")
        self.verticalScrollBar().setSingleStep(24)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._paging = False
        # Reading ahead: while the user reads, the next page at the end they scroll towards
        # is read and its bubbles laid out, a few per turn of the event loop, so that adding
        # the page later finds every size in the delegate's cache.
        self._ahead: list = []  # (message, separator) still to lay out
        self._ahead_newer = False  # the direction of the last scroll
        self._ahead_done = False  # both ends read and laid out
        self._load_pending = False  # a page load is queued (reading ahead waits for it)
        self._last_move = 0.0  # when the user last moved (perf_counter)
        self._idle_after_paint = False  # background work waits for the next paint
        self._last_value = 0
        self._ahead_timer = QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.timeout.connect(self._read_ahead_step)

    def thread_model(self) -> ThreadModel:
        return self.model()  # type: ignore[return-value]

    def setModel(self, model) -> None:
        super().setModel(model)
        if model is not None:  # another window of rows: read ahead of it
            model.modelReset.connect(self._window_changed)
            model.layoutChanged.connect(self._window_changed)

    def _window_changed(self, *_a: object) -> None:
        self._ahead = []
        self._ahead_done = False

    @property
    def paging(self) -> bool:
        """True while a page is being added or rows dropped."""
        return self._paging

    def read_ahead(self, delay: int = 0) -> None:
        """Start (or restart) reading ahead from the current position, after ``delay`` ms."""
        self._ahead = []
        self._ahead_done = False
        self._ahead_timer.start(delay)

    def _after_next_paint(self) -> None:
        """Background work resumes IDLE_MS after the view has painted (the end of what the
        user sees of a move), or after PAINTLESS_MS if nothing is painted."""
        self._idle_after_paint = True
        self._ahead_timer.start(PAINTLESS_MS)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._idle_after_paint:
            self._idle_after_paint = False
            self._ahead_timer.start(IDLE_MS)

    def _read_ahead_step(self) -> None:
        """One turn of background work: add the next page when the user is within
        ``SOON`` screens of the end they move towards, else read the next page ahead (one
        query) or lay out bubbles of it for at most ``AHEAD_MS``; then yield."""
        model = self.thread_model()
        delegate = self.itemDelegate()
        if model is None or self._paging or not isinstance(delegate, BubbleDelegate):
            return
        if self._load_pending:  # a page comes in first (and restarts this after it)
            return
        sb = self.verticalScrollBar()
        soon = self.viewport().height() * SOON
        if sb.value() <= soon and model.can_fetch_older():
            self.load_older()
            return
        if sb.value() >= sb.maximum() - soon and model.can_fetch_newer():
            self.load_newer()
            return
        deadline = time.perf_counter() + AHEAD_MS / 1000
        if not self._ahead:
            # the direction of travel first, then the other end
            for newer in (self._ahead_newer, not self._ahead_newer):
                todo = [t for t in model.read_ahead(newer) if not delegate.is_prepared(t)]
                if todo:
                    self._ahead = todo
                    break
            else:
                self._ahead_done = True  # until the window or the layouts change
                return  # both ends are laid out (or there is nothing more)
        while self._ahead and time.perf_counter() < deadline:
            delegate.prepare(self.font(), self._ahead[:1])
            del self._ahead[:1]
        self._ahead_timer.start(0)

    def _on_scrolled(self, value: int) -> None:
        model = self.thread_model()
        if value != self._last_value:
            if not self._paging:  # keeping the reading position is not a move
                self._ahead_newer = value > self._last_value
            self._last_value = value
        if self._paging or model is None:
            return
        # Background work waits for a pause; when moves come closer together than
        # HURRIED_MS (each taking a few ms, they leave no pause), a turn of it is done at
        # each move.
        now = time.perf_counter()
        hurried = (now - self._last_move) * 1000 < HURRIED_MS
        self._last_move = now
        height = self.viewport().height()
        maximum = self.verticalScrollBar().maximum()
        soon = height * SOON
        wanted = (value <= soon and model.can_fetch_older()) or (
            value >= maximum - soon and model.can_fetch_newer()
        )
        if wanted or not self._ahead_done:
            if hurried:
                self._ahead_timer.start(0)
            else:
                self._after_next_paint()
        # A page comes in now when less than a screen and a half is left, so a Page Up or
        # Page Down never stops short at the end of what is loaded (usually it came in
        # while the user paused, at SOON screens).
        margin = height * 3 // 2
        if value <= margin and model.can_fetch_older():
            self._load_pending = True
            QTimer.singleShot(0, self.load_older)
        elif value >= maximum - margin and model.can_fetch_newer():
            self._load_pending = True
            QTimer.singleShot(0, self.load_newer)

    def _anchor(self) -> tuple[QModelIndex, int]:
        anchor = self.indexAt(QPoint(4, 4))
        return anchor, (self.visualRect(anchor).top() if anchor.isValid() else 0)

    def _restore(self, anchor: QModelIndex, row: int, offset: int) -> None:
        if not anchor.isValid() or row < 0:
            return
        self.scrollTo(self.model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        sb = self.verticalScrollBar()
        sb.setValue(sb.value() - offset)

    def load_newer(self) -> int:
        """Append the next page and drop the oldest rows beyond the window, keeping the
        message at the top of the viewport where it is."""
        model = self.thread_model()
        if self._load_pending:
            self._load_pending = False
            self.read_ahead(PAINTLESS_MS)
            self._after_next_paint()
        if self._paging or model is None or not model.can_fetch_newer():
            return 0
        self._paging = True
        self.setAutoScroll(False)  # Qt scrolls to a moved current index otherwise
        try:
            # The anchor is taken first: rows appended below do not move it, and asking
            # where it is after the append would lay the whole window out once more.
            anchor, offset = self._anchor()
            row = anchor.row() if anchor.isValid() else -1
            before = model.rowCount()
            model.fetch_newer()
            added = model.rowCount() - before
            removed = model.trim_front()
            if removed:
                self._restore(anchor, row - removed, offset)
            return added
        finally:
            self._paging = False
            self.setAutoScroll(True)
            self.read_ahead(PAINTLESS_MS)
            self._after_next_paint()  # the page is painted first
            self.paged.emit()

    def load_older(self) -> int:
        model = self.thread_model()
        if self._load_pending:
            self._load_pending = False
            self.read_ahead(PAINTLESS_MS)
            self._after_next_paint()
        if self._paging or model is None or not model.can_fetch_older():
            return 0
        self._paging = True
        self.setAutoScroll(False)
        try:
            anchor, offset = self._anchor()
            row = anchor.row() if anchor.isValid() else -1
            n = model.fetch_older()
            if n:
                self._restore(anchor, row + n, offset)
            return n
        finally:
            self._paging = False
            self.setAutoScroll(True)
            self.read_ahead(PAINTLESS_MS)
            self._after_next_paint()  # the page is painted first
            self.paged.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # sizes depend on the width: the delegate caches per width, the layout must redo
        self.scheduleDelayedItemsLayout()
        if event.size().width() != event.oldSize().width():
            self.read_ahead()


class ThreadView(QWidget):
    messageSelected = Signal(object)  # Message | None
    messageActivated = Signal(object)  # Message (Enter / double-click)

    def __init__(self, tz, thumbnails=None, parent=None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._conn = None
        self._conv: ConversationInfo | None = None
        # The message the user selected, by rowid: it stays selected (and in the inspector)
        # while the window of loaded rows moves, even when its row is dropped and read again.
        self._selected_rowid: int | None = None
        self._restoring = False
        self.thread_model = ThreadModel(tz, self)
        self.names: Any = None  # NameLabels: the header shows names with the numbers
        self.list = BubbleListView(self)
        self.delegate = BubbleDelegate(tz, thumbnails, self.list)
        self.list.setItemDelegate(self.delegate)
        self.list.setModel(self.thread_model)
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumbnail)

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setAccessibleName("Conversation participants")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15 if f.pointSizeF() > 0 else 11)
        self.title.setFont(f)
        self.subtitle = QLabel(self)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setAccessibleName("Conversation subscriber")
        self.grouping = QLabel(self)
        self.grouping.setTextFormat(Qt.TextFormat.PlainText)
        self.grouping.setWordWrap(True)
        self.grouping.setAccessibleName("Why these messages are grouped")
        self.grouping.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rule_button = QPushButton("Threading rule…", self)
        self.rule_button.setAccessibleName("Show the threading rule")
        self.rule_button.setToolTip("How messages are grouped into conversations")
        self.rule_button.clicked.connect(self.show_rule)
        self.tz_combo = TimeZoneCombo(tz, self)

        header = QWidget(self)
        header.setAccessibleName("Conversation header")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(8, 6, 8, 6)
        hl.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        tz_label = self.tz_label = QLabel("Time zone:", self)
        tz_label.setBuddy(self.tz_combo)
        top.addWidget(tz_label)
        top.addWidget(self.tz_combo)
        hl.addLayout(top)
        hl.addWidget(self.subtitle)
        row = QHBoxLayout()
        row.addWidget(self.grouping, 1)
        row.addWidget(self.rule_button, 0, Qt.AlignmentFlag.AlignTop)
        hl.addLayout(row)
        dates = QHBoxLayout()
        self.date_label = QLabel("Go to date:", self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setAccessibleName("Date to go to")
        self.date_label.setBuddy(self.date_edit)
        self.date_go = QPushButton("Go", self)
        self.date_go.setAccessibleName("Go to the first message of that day")
        self.date_go.setToolTip("Show the first message on or after that day (in the zone shown)")
        self.date_go.clicked.connect(self.go_to_date)
        self.date_edit.calendarWidget().clicked.connect(self.go_to_date)
        dates.addWidget(self.date_label)
        dates.addWidget(self.date_edit)
        dates.addWidget(self.date_go)
        dates.addStretch(1)
        hl.addLayout(dates)
        self.header = header

        # find in the thread (Ctrl+F while the thread has focus)
        self.find_bar = QWidget(self)
        self.find_bar.setAccessibleName("Find in this conversation")
        fl = QHBoxLayout(self.find_bar)
        fl.setContentsMargins(8, 2, 8, 2)
        self.find_field = QLineEdit(self.find_bar)
        self.find_field.setPlaceholderText("Find in this conversation")
        self.find_field.setAccessibleName("Find in this conversation")
        self.find_field.setClearButtonEnabled(True)
        self.find_count = QLabel(self.find_bar)
        self.find_count.setAccessibleName("Matches found")
        self.find_prev = QToolButton(self.find_bar)
        self.find_prev.setText("Previous")
        self.find_prev.setToolTip("Previous match (Shift+Enter, Shift+F3)")
        self.find_next = QToolButton(self.find_bar)
        self.find_next.setText("Next")
        self.find_next.setToolTip("Next match (Enter, F3)")
        self.find_close = QToolButton(self.find_bar)
        self.find_close.setText("Close")
        self.find_close.setToolTip("Close the find bar (Esc)")
        fl.addWidget(self.find_field, 1)
        fl.addWidget(self.find_count)
        fl.addWidget(self.find_prev)
        fl.addWidget(self.find_next)
        fl.addWidget(self.find_close)
        self.find_bar.setVisible(False)
        self._matches: list[ThreadKey] = []
        self._match_index = -1
        self._find_timer = QTimer(self)
        self._find_timer.setSingleShot(True)
        self._find_timer.setInterval(FIND_DEBOUNCE_MS)
        self._find_timer.timeout.connect(self.run_find)
        self.find_field.textChanged.connect(self._find_timer.start)
        self.find_field.returnPressed.connect(self.find_next_match)
        self.find_next.clicked.connect(self.find_next_match)
        self.find_prev.clicked.connect(self.find_previous_match)
        self.find_close.clicked.connect(self.close_find)
        self.find_field.installEventFilter(self)
        self._find_shortcuts = []
        for key, slot in (
            (QKeySequence.StandardKey.FindNext, self.find_next_match),
            (QKeySequence.StandardKey.FindPrevious, self.find_previous_match),
        ):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
            self._find_shortcuts.append(sc)

        self.placeholder = QLabel("Select a conversation to read it.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(header)
        lay.addWidget(self.find_bar)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.placeholder, 1)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.list.paged.connect(self._after_paging)
        # A thread opens at its newest message and stays there while sizes settle (the
        # header wraps, bubbles are laid out at the final width, thumbnails arrive) until
        # the user scrolls, clicks or types: otherwise the last bubble ends up cut off.
        self._stick_bottom = False
        scrollbar = self.list.verticalScrollBar()
        scrollbar.rangeChanged.connect(self._keep_bottom)
        scrollbar.actionTriggered.connect(self._unstick)
        scrollbar.valueChanged.connect(self._on_scroll_value)
        self.list.installEventFilter(self)
        self.list.viewport().installEventFilter(self)
        self.list.activated.connect(self._on_activated)
        self.delegate.mediaClicked.connect(self._on_activated)
        tz.changed.connect(self._on_zone_changed)
        self._show_conversation_header(None)
        # right-click menu, several messages selected, Ctrl+C copies them as a transcript
        self.message_actions = ThreadActions(self)

    # -- API -------------------------------------------------------------------------------
    def conversation(self) -> ConversationInfo | None:
        return self._conv

    def set_conversation(self, conn, conv: ConversationInfo | None) -> None:
        self._conn, self._conv = conn, conv
        self.delegate.group = bool(conv and conv.is_group)
        self.delegate.clear_cache()
        # Header first, and the layout applied now: the bubbles are then laid out once, at
        # the list's real width (laid out while hidden, they would all be laid out again).
        self._show_conversation_header(conv)
        self._apply_layout()
        self.thread_model.set_conversation(conn, conv.id if conv else None)
        self._stick_bottom = conv is not None
        if conv is not None:
            self.list.scrollToBottom()
            self.list.read_ahead()
        self._selected_rowid = None
        self.messageSelected.emit(None)
        self._reset_find()

    def jump_to(self, conn, conv: ConversationInfo, rowid: int) -> bool:
        """Show ``conv`` with a window around ``rowid``, centred, highlighted and selected."""
        self._stick_bottom = False
        self._conn, self._conv = conn, conv
        self.delegate.group = conv.is_group
        self.delegate.clear_cache()
        self._show_conversation_header(conv)
        self._apply_layout()
        self._reset_find()
        row = self.thread_model.load_around(conn, rowid)
        if row < 0:
            return False
        index = self.thread_model.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._scroll_to_jumped(index)
        self.list.read_ahead()
        return True

    def show_message(self, rowid: int) -> bool:
        """Select message ``rowid`` of this conversation and scroll to it, reading the page
        around it when it is not loaded."""
        if self._conn is None:
            return False
        self._stick_bottom = False  # the user went somewhere: the view stays there
        row = self.thread_model.row_of(rowid)
        if row < 0:
            row = self.thread_model.load_around(self._conn, rowid, highlight=False)
            if row < 0:
                return False
        index = self.thread_model.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._scroll_to_jumped(index)
        return True

    def _scroll_to_jumped(self, index: QModelIndex) -> None:
        """Centre the message gone to; the thread's newest one is kept whole at the bottom
        while sizes settle (pictures above it arrive), as when the thread opens."""
        model = self.thread_model
        if index.row() == model.rowCount() - 1 and not model.can_fetch_newer():
            self._stick_bottom = True
            self.list.scrollToBottom()
            return
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- jump to a date --------------------------------------------------------------------
    def go_to_date(self, date: QDate | None = None) -> bool:
        """Show the first message at or after the start of ``date`` (default: the date in
        the header) in the zone shown; the last message when none is that late."""
        if self._conn is None or self._conv is None:
            return False
        d = date if isinstance(date, QDate) else self.date_edit.date()
        zone = self._tz.tzinfo if self._tz is not None else UTC
        start = datetime(d.year(), d.month(), d.day(), tzinfo=zone)
        rowid = message_at_or_after(self._conn, self._conv.id, int(start.timestamp() * 1000))
        if rowid is None:
            return False
        return self.show_message(rowid)

    # -- find in the thread ----------------------------------------------------------------
    def open_find(self) -> None:
        self.find_bar.setVisible(True)
        self.find_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_field.selectAll()

    def close_find(self) -> None:
        self._find_timer.stop()
        self.find_bar.setVisible(False)
        self._set_find(None)
        self._matches, self._match_index = [], -1
        self.find_count.setText("")
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def match_count(self) -> int:
        return len(self._matches)

    def current_match(self) -> int:
        """0-based index of the match shown, -1 for none."""
        return self._match_index

    def run_find(self) -> None:
        """Find the field's text in the whole conversation and go to the first match at or
        after the selected message (else the first)."""
        self._find_timer.stop()
        text = self.find_field.text()
        if self._conn is None or self._conv is None or not text.strip():
            self._matches, self._match_index = [], -1
            self._set_find(None)
            self.find_count.setText("")
            return
        self._matches = thread_matches(self._conn, self._conv.id, text)
        self._set_find(match_pattern(text))
        if not self._matches:
            self._match_index = -1
            self.find_count.setText("No matches")
            return
        current = self.current_item()
        start = 0
        if current is not None:
            start = next((i for i, k in enumerate(self._matches) if k >= current.key), 0)
        self._go_to_match(start)

    def find_next_match(self) -> None:
        self._step(1)

    def find_previous_match(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self._find_timer.isActive():
            self.run_find()  # typed and pressed Enter at once: the first match
            return
        if self._matches:
            self._go_to_match((self._match_index + delta) % len(self._matches))

    def _go_to_match(self, i: int) -> None:
        self._match_index = i
        self.find_count.setText(f"{i + 1} of {len(self._matches)}")
        self.show_message(self._matches[i][1])

    def _set_find(self, pattern) -> None:
        self.delegate.find_pattern = pattern
        self.list.viewport().update()

    def _reset_find(self) -> None:
        """Another conversation is shown: count the find bar's text in it, without moving
        the selection (Enter then goes to its first match)."""
        self._find_timer.stop()
        self._matches, self._match_index = [], -1
        self._set_find(None)
        self.find_count.setText("")
        text = self.find_field.text()
        conn = self._conn
        if self.find_bar.isVisible() and text.strip() and conn is not None and self._conv:
            self._matches = thread_matches(conn, self._conv.id, text)
            self._set_find(match_pattern(text))
            n = len(self._matches)
            self.find_count.setText(counted(n, "match") if n else "No matches")

    def _find_keys(self, obj, event) -> bool:
        """Ctrl+F in the messages opens the find bar; Esc and Shift+Enter in its field."""
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            if obj is self.list and event.matches(QKeySequence.StandardKey.Find):
                # the thread's own Ctrl+F: find in it (not the window's search)
                event.accept()
                if kind == QEvent.Type.KeyPress:
                    self.open_find()
                return True
            if obj is self.find_field and kind == QEvent.Type.KeyPress:
                if event.key() == Qt.Key.Key_Escape:
                    self.close_find()
                    return True
                if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                ):
                    self.find_previous_match()
                    return True
        return False

    def refresh(self, conn) -> None:
        self._conn = conn
        current = self.current_item()
        anchor = current.rowid if current else None
        self.thread_model.refresh(anchor)

    def current_item(self) -> Message | None:
        index = self.list.currentIndex()
        return item_data(index, ROW_ROLE) if index.isValid() else None

    def visible_rowids(self) -> list[int]:
        """Messages whose bubble is (at least partly) inside the viewport."""
        out = []
        vp = self.list.viewport().rect()
        for row in range(self.thread_model.rowCount()):
            index = self.thread_model.index(row, 0)
            item = self.thread_model.item(row)
            if item is not None and self.list.visualRect(index).intersects(vp):
                out.append(item.rowid)
        return out

    def show_rule(self) -> None:
        self.rule_dialog = threading_rule_dialog(self)
        self.rule_dialog.open()

    # -- internals -------------------------------------------------------------------------
    def sticks_to_bottom(self) -> bool:
        """True while the newest message is kept in view (until the user moves)."""
        return self._stick_bottom

    def _keep_bottom(self, _minimum: int, maximum: int) -> None:
        if self._stick_bottom:
            self.list.verticalScrollBar().setValue(maximum)

    def _unstick(self, *_args: object) -> None:
        self._stick_bottom = False

    def _on_scroll_value(self, value: int) -> None:
        # moved up by anything but a page coming in (a jump, a search, the user)
        maximum = self.list.verticalScrollBar().maximum()
        if self._stick_bottom and not self.list.paging and value < maximum:
            self._stick_bottom = False

    def eventFilter(self, watched, event) -> bool:
        if self._stick_bottom and event.type() in _USER_MOVES:
            self._stick_bottom = False
        return self._find_keys(watched, event)

    def _apply_layout(self) -> None:
        lay = self.layout()
        if lay is not None and self.isVisible():
            lay.activate()

    def _show_conversation_header(self, conv: ConversationInfo | None) -> None:
        has = conv is not None
        self.list.setVisible(has)
        self.placeholder.setVisible(not has)
        for w in (self.subtitle, self.grouping, self.rule_button):
            w.setVisible(has)
        for widget in (self.date_label, self.date_edit, self.date_go):
            widget.setVisible(has)
        if conv is None:
            self.title.setText("No conversation selected")
            return
        names = self.names
        self.title.setText(
            shown(names.title(conv.participants, conv.subscriber_mobile) if names else conv.title)
        )
        if conv.last_ms is not None:
            last = self._tz.to_datetime(conv.last_ms) if self._tz is not None else None
            if last is not None:
                self.date_edit.setDate(QDate(last.year, last.month, last.day))
        kind = f"Group of {len(conv.participants) + 1}" if conv.is_group else "1:1"
        self.subtitle.setText(
            shown(
                f"Subscriber {conv.subscriber_mobile} · {kind} · "
                f"{counted(conv.message_count, 'message')}"
                + (f" ({conv.mms_count} MMS)" if conv.mms_count else "")
            )
        )
        self.grouping.setText(shown(grouping_text(conv), multiline=True))

    def _on_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if self.list.paging or self._restoring:
            # Rows added or dropped at the window's ends: Qt moves the current index off a
            # dropped row by itself, which is not the user choosing another message.
            return
        item: Message | None = item_data(current, ROW_ROLE) if current.isValid() else None
        self._selected_rowid = item.rowid if item is not None else None
        self.messageSelected.emit(item)

    def _after_paging(self) -> None:
        """Put the selection back on the user's message if its row is loaded, else select
        nothing (it comes back when the user scrolls to it); the inspector keeps it."""
        rowid = self._selected_rowid
        row = self.thread_model.row_of(rowid) if rowid is not None else -1
        current = self.list.currentIndex()
        if current.isValid() and current.row() == row:
            return
        selection = self.list.selectionModel()
        self._restoring = True
        self.list.setAutoScroll(False)  # the user's scroll position stays
        try:
            if row >= 0:
                selection.setCurrentIndex(
                    self.thread_model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect,
                )
            else:
                selection.clear()
        finally:
            self.list.setAutoScroll(True)
            self._restoring = False

    def _on_activated(self, index: QModelIndex) -> None:
        item = item_data(index, ROW_ROLE)
        if item is not None:
            self.messageActivated.emit(item)

    def _on_thumbnail(self, _sha: str) -> None:
        self.list.viewport().update()

    def _on_zone_changed(self, *_a: object) -> None:
        self.delegate.clear_cache()
        self.list.scheduleDelayedItemsLayout()
        self.list.read_ahead()
        self.list.viewport().update()
