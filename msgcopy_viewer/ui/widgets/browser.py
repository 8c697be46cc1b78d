"""The browsing area: subscribers | conversations (or search results) | thread | inspector."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from msgcopy_viewer.store.browse import ConversationInfo, get_conversation, locate_message
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui.thumbnails import ThumbnailCache
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from msgcopy_viewer.ui.widgets.conversation_view import ConversationView
from msgcopy_viewer.ui.widgets.inspector import Inspector
from msgcopy_viewer.ui.widgets.search_panel import SearchPanel
from msgcopy_viewer.ui.widgets.subscriber_view import SubscriberView
from msgcopy_viewer.ui.widgets.thread_view import ThreadView
from msgcopy_viewer.ui.widgets.workbench import SHORTCUTS as WORKBENCH_SHORTCUTS
from msgcopy_viewer.ui.widgets.workbench import BrowserWorkbench

log = logging.getLogger(__name__)

EMPTY_HINT = "Drop folders, files or zip archives here to import"

SHORTCUTS: list[tuple[str, str]] = [
    ("Ctrl+F", "Search messages (in the messages: find in this conversation; again: search)"),
    ("Enter / Shift+Enter, F3 / Shift+F3", "Find in the conversation: next / previous match"),
    ("Esc", "Clear the search (in the search field or results)"),
    ("Down / Enter", "From the search field: go to the results"),
    ("Enter", "Results: open the message in its conversation; on an MMS bubble: open the MMS"),
    ("Alt+1", "Subscribers"),
    ("Alt+2", "Conversations / search results"),
    ("Alt+3", "Messages"),
    ("Alt+4", "Inspector"),
    ("Up / Down, Page Up / Page Down, Home / End", "Move through lists and messages"),
    ("Ctrl+Shift+C", "Copy the selected message's ID"),
    ("Ctrl+C", "Messages: copy the selected messages as a transcript"),
    ("Ctrl+Click / Shift+Click", "Messages: select several"),
    ("Left / Right", "MMS viewer: previous / next slide"),
]


class Browser(QWidget):
    messageOpened = Signal(int)  # rowid of an MMS the user opened
    selectionChanged = Signal(object)  # MessageRow | None

    def __init__(self, tz: TimeZoneSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.case: Case | None = None
        self.case_path: Path | None = None
        self._jumping = False
        self.thumbnails = ThumbnailCache(self)

        self.subscribers = SubscriberView(self)
        self.conversations = ConversationView(tz, self)
        self.search = SearchPanel(tz, self)
        self.thread_view = ThreadView(tz, self.thumbnails, self)
        self.inspector = Inspector(tz, self)
        self.workbench = BrowserWorkbench(self)  # names, tags, notes, bookmarks

        self.middle_stack = QStackedWidget(self)
        self.middle_stack.addWidget(self.conversations)
        self.middle_stack.addWidget(self.search.results_view)
        middle = QWidget(self)
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.setSpacing(0)
        ml.addWidget(self.search)
        ml.addWidget(self.middle_stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        for w, stretch in (
            (self.subscribers, 2),
            (middle, 3),
            (self.thread_view, 6),
            (self.inspector, 3),
        ):
            self.splitter.addWidget(w)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([330, 340, 600, 340])

        self.empty = QLabel(EMPTY_HINT, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No case open")
        f = self.empty.font()
        if f.pointSizeF() > 0:
            f.setPointSizeF(f.pointSizeF() * 1.3)
        self.empty.setFont(f)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.pages)

        self.subscribers.scopeChanged.connect(self._on_scope)
        self.conversations.conversationSelected.connect(self._on_conversation)
        self.thread_view.messageSelected.connect(self._on_message)
        self.thread_view.messageActivated.connect(self._on_activated)
        self.thread_view.message_actions.inspectRequested.connect(self._focus_inspector)
        self.search.activeChanged.connect(self._on_search_active)
        self.search.resultActivated.connect(self._on_result)

        self._shortcuts = []
        for key, slot in (
            ("Ctrl+F", self.focus_search),
            ("Alt+1", self.subscribers.setFocus),
            ("Alt+2", self._focus_middle),
            ("Alt+3", self.thread_view.list.setFocus),
            ("Alt+4", self.inspector.tabs.setFocus),
            ("Ctrl+Shift+C", self.inspector.copy_id.click),
        ):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
            self._shortcuts.append(sc)
        self.set_case(None)

    # -- API for the app shell ---------------------------------------------------------------
    def set_case(self, case_path: Path | None) -> None:
        """Show a case (opens its own read connection), or the empty state for None."""
        old = self.case
        self.case = None
        self.case_path = None
        if case_path is not None:
            self.case = Case.open(case_path)
            self.case_path = self.case.path
        conn = self.case.conn if self.case is not None else None
        self.workbench.set_case(self.case)
        self.thumbnails.set_case_path(self.case_path)
        self.search.set_case_path(self.case_path)
        self.search.clear()
        self.thread_view.set_conversation(None, None)
        self.inspector.show_message(None, None)
        self.subscribers.set_connection(conn)
        self.conversations.set_scope(conn, None)
        self.pages.setCurrentIndex(1 if conn is not None else 0)
        if old is not None:
            old.close()
        self.selectionChanged.emit(None)

    def refresh(self, touched_conversations: set[str] | None = None) -> None:
        """After an import commit: new conversations appear, counts update, selection kept."""
        if self.case is None:
            return
        conn = self.case.conn
        self.subscribers.refresh(conn)
        self.conversations.refresh()
        conv = self.thread_view.conversation()
        if conv is not None and (touched_conversations is None or conv.id in touched_conversations):
            fresh = get_conversation(conn, conv.id)
            if fresh is not None:
                self.thread_view._conv = fresh
                self.thread_view._show_conversation_header(fresh)
                self.thread_view.refresh(conn)
        if self.search.is_active():
            self.search.run_now()

    def set_time_zone_selector_visible(self, visible: bool) -> None:
        """Hide the thread header's time-zone selector when the window has its own."""
        self.thread_view.tz_combo.setVisible(visible)
        self.thread_view.tz_label.setVisible(visible)

    def focus_search(self) -> None:
        self.search.focus()

    def open_message(self, message_id: str) -> None:
        """Select the message's subscriber and conversation, scroll to it, highlight it."""
        if self.case is None:
            return
        loc = locate_message(self.case.conn, message_id)
        if loc is not None:
            self.open_rowid(loc.rowid)

    def shortcuts(self) -> list[tuple[str, str]]:
        return list(SHORTCUTS) + WORKBENCH_SHORTCUTS

    # -- more API --------------------------------------------------------------------------
    def open_rowid(self, rowid: int) -> bool:
        if self.case is None:
            return False
        conn = self.case.conn
        loc = locate_message(conn, rowid)
        if loc is None:
            return False
        conv = get_conversation(conn, loc.conversation_id)
        if conv is None:
            return False
        self._jumping = True
        try:
            scope = self.subscribers.scope()
            if scope is not None and loc.subscriber_id not in scope:
                self.subscribers.select_subscriber(loc.subscriber_id)
            self.conversations.select_conversation(conv.id)
        finally:
            self._jumping = False
        ok = self.thread_view.jump_to(conn, conv, rowid)
        self.thread_view.list.setFocus()
        return ok

    def shutdown(self) -> None:
        """Stop background work and close the read connection (call before the app quits)."""
        self.search.shutdown()
        self.thumbnails.shutdown()
        # The thread view lets go of the connection first: its read-ahead step, already
        # queued, would otherwise run a query on the closed connection.
        self.thread_view.set_conversation(None, None)
        if self.case is not None:
            self.case.close()
            self.case = None

    # -- slots -----------------------------------------------------------------------------
    def _on_scope(self, ids) -> None:
        conn = self.case.conn if self.case is not None else None
        self.conversations.set_scope(conn, ids)
        self.search.set_subscriber_scope(ids)

    def _on_conversation(self, conv: ConversationInfo | None) -> None:
        if self._jumping:
            return
        if conv is None:
            # the list was reset (new scope): keep showing the thread the user reads
            return
        shown = self.thread_view.conversation()
        if shown is not None and shown.id == conv.id:
            return
        self.thread_view.set_conversation(self.case.conn if self.case else None, conv)

    def _on_message(self, item) -> None:
        row = self.inspector.show_rowid(self.case, item.rowid if item is not None else None)
        self.selectionChanged.emit(row)

    def _on_activated(self, item) -> None:
        if item is not None and item.is_mms:
            self.messageOpened.emit(item.rowid)

    def _on_search_active(self, active: bool) -> None:
        self.middle_stack.setCurrentIndex(1 if active else 0)

    def _on_result(self, hit) -> None:
        self.open_rowid(hit.message.rowid)

    def _focus_inspector(self) -> None:
        self.inspector.tabs.setCurrentIndex(0)
        self.inspector.tabs.setFocus()

    def _focus_middle(self) -> None:
        w = self.middle_stack.currentWidget()
        if w is not None:
            w.setFocus()
