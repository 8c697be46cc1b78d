"""The examiner's workbench in the browser: names with numbers, tagging shortcuts with
undo, the Tags panel; and the window's docks (Tags, Timeline, Contacts, Media) and menu
actions (``install_workbench``), so the main window only adds a few lines.

Keyboard (in the browser): Ctrl+1 … Ctrl+9 toggle the first nine tags on the selected
messages (the thread's selection, or the search results' when they have the focus),
Ctrl+B toggles a bookmark, Ctrl+Shift+N edits the note; Ctrl+Z / Ctrl+Shift+Z undo and
redo (each action is one step, however many messages it changed).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from msgcopy_viewer.examiner import EXAMINER_KEY, login_name
from msgcopy_viewer.store.browse import get_conversation
from msgcopy_viewer.store.case import CaseError
from msgcopy_viewer.store.messages import Contact, Message
from msgcopy_viewer.store.names import set_names
from msgcopy_viewer.ui.mms.contact_card import CONTACT_NAME_REQUESTS
from msgcopy_viewer.ui.models.names import NameLabels
from msgcopy_viewer.ui.models.roles import ROW_ROLE, item_data
from msgcopy_viewer.ui.plain_text import set_plain_text
from msgcopy_viewer.ui.settings import AppSettings
from msgcopy_viewer.ui.widgets.annotate_actions import AnnotationController
from msgcopy_viewer.ui.widgets.tags_panel import TagsPanel

log = logging.getLogger(__name__)

SHORTCUTS: list[tuple[str, str]] = [
    (
        " / ".join(f"Ctrl+{n}" for n in range(1, 10)),
        "Tag the selected messages with the case's first nine tags (again: untag)",
    ),
    ("Ctrl+B", "Bookmark the selected messages (again: remove the bookmark)"),
    ("Ctrl+Shift+N", "Write a note on the selected messages"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last tag, note or bookmark change"),
]


class BrowserWorkbench(QObject):
    """Created by the ``Browser``; follows its case."""

    def __init__(self, browser) -> None:  # Browser (typed loosely: it imports this module)
        super().__init__(browser)
        # no attribute refers back to the browser (its parent): a reference cycle would keep
        # it, and its timers, alive after it is closed, until the garbage collector runs
        self.names = NameLabels(self)
        self.annotations = AnnotationController(self)
        self.tags_panel = TagsPanel(browser.tz)
        self.tags_panel.message_model.names = self.names
        self.note_dialog: QInputDialog | None = None
        self.failure_box: QMessageBox | None = None  # the last refusal shown
        self._note_rowids: list[int] = []

        tv = browser.thread_view
        tv.names = self.names
        tv.thread_model.names = self.names
        browser.conversations.conversation_model.names = self.names
        browser.inspector.names = self.names
        delegate = browser.search.results_view.itemDelegate()
        if delegate is not None:
            delegate.names = self.names
        self.names.changed.connect(self._on_names)
        self.annotations.changed.connect(self._on_marks)
        self.annotations.failed.connect(self._on_failed)
        self.tags_panel.messageRequested.connect(self._open_rowid)
        self.tags_panel.conversationRequested.connect(self.open_conversation)
        self.tags_panel.manageRequested.connect(self.manage_tags)
        self.tags_panel.conversation_model.names = self.names
        self.manage_dialog = None  # ManageTagsDialog, made when first asked for
        convs = browser.conversations
        convs.tag_source = self.annotations.tags
        convs.tagToggled.connect(self.toggle_conversation_tag)
        CONTACT_NAME_REQUESTS.requested.connect(self.use_contact_name)

        self.undo_action = self.annotations.undo_stack.createUndoAction(browser, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.annotations.undo_stack.createRedoAction(browser, "&Redo")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            browser.addAction(a)
        self._shortcuts: list[QShortcut] = []
        for n in range(9):
            self._shortcut(f"Ctrl+{n + 1}", lambda n=n: self.toggle_tag_number(n))
        self._shortcut("Ctrl+B", self.toggle_bookmark)
        self._shortcut("Ctrl+Shift+N", self.edit_note)

    @property
    def browser(self):
        return self.parent()

    def _open_rowid(self, rowid: int) -> None:
        self.browser.open_rowid(rowid)

    def _shortcut(self, key: str, slot) -> None:
        sc = QShortcut(QKeySequence(key), self.browser)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(slot)
        self._shortcuts.append(sc)

    # -- following the browser ----------------------------------------------------------------
    def set_case(self, case) -> None:
        self.annotations.set_case(case)
        conn = case.conn if case is not None else None
        self.names.reload(conn)
        self.tags_panel.set_connection(conn)
        self.browser.search.set_tag_names([t.name for t in self.annotations.tags()])
        if self.manage_dialog is not None:
            self.manage_dialog.reload()

    def reload(self) -> None:
        """Read the tag list, the marks and the names again (changed by another program)."""
        self.reload_names()
        self._on_marks()
        if self.manage_dialog is not None:
            self.manage_dialog.reload()

    def reload_names(self) -> None:
        case = self.browser.case
        self.names.reload(case.conn if case is not None else None)

    # -- what is selected ---------------------------------------------------------------------
    def selected_rowids(self) -> list[int]:
        """The selected messages of the search results when they have the focus, else the
        thread's (in the order shown)."""
        b = self.browser
        results = b.search.results_view
        if results.hasFocus():
            sel = results.selectionModel()
            rows = sorted(sel.selectedIndexes(), key=lambda i: i.row()) if sel else []
            hits = [item_data(index, ROW_ROLE) for index in rows]
            out = [
                h.message.rowid for h in hits if isinstance(getattr(h, "message", None), Message)
            ]
            if out:
                return out
        # the thread's selection, kept by rowid while pages come and go
        chosen = sorted(b.thread_view.message_actions.rowids)
        if chosen:
            return chosen
        current = b.thread_view.current_item()
        return [current.rowid] if current is not None else []

    # -- actions ------------------------------------------------------------------------------
    def toggle_tag_number(self, n: int) -> list[int]:
        tags = self.annotations.tags()
        if n >= len(tags):
            self._status(f"There is no tag {n + 1} in this case")
            return []
        return self.toggle_tag(tags[n].name)

    def toggle_tag(self, name: str) -> list[int]:
        rowids = self.selected_rowids()
        changed = self.annotations.toggle_tag(rowids, name)
        self._status(f"{name}: {len(changed)} messages changed")
        return changed

    def toggle_bookmark(self) -> list[int]:
        changed = self.annotations.toggle_bookmark(self.selected_rowids())
        self._status(f"Bookmarks: {len(changed)} messages changed")
        return changed

    def toggle_conversation_tag(self, conversation_id: str, name: str) -> bool:
        """Tag the conversation, or untag it (the conversation list's right-click menu)."""
        changed = self.annotations.toggle_conversation_tag(conversation_id, name)
        if changed:
            self._status(f"{name}: conversation changed")
        return changed

    def open_conversation(self, conversation_id: str) -> bool:
        case = self.browser.case
        if case is None:
            return False
        conv = get_conversation(case.conn, conversation_id)
        if conv is None or conv.last_rowid is None:
            return False
        return bool(self.browser.open_rowid(conv.last_rowid))

    def manage_tags(self):
        """Show the Manage Tags dialog (one, kept while the window lives)."""
        from msgcopy_viewer.ui.widgets.manage_tags import ManageTagsDialog

        if self.manage_dialog is None:
            self.manage_dialog = ManageTagsDialog(self.annotations, self.browser.window())
        self.manage_dialog.reload()
        self.manage_dialog.show()
        self.manage_dialog.raise_()
        return self.manage_dialog

    def edit_note(self) -> None:
        rowids = self.selected_rowids()
        if not rowids or self.annotations.case is None:
            return
        self._note_rowids = rowids
        dlg = QInputDialog(self.browser)
        dlg.setWindowTitle("Note")
        dlg.setLabelText(
            "Note on the selected message"
            if len(rowids) == 1
            else f"Note on {len(rowids)} messages"
        )
        dlg.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput, True)
        dlg.setTextValue(self.annotations.note_of(rowids[0]) or "")
        dlg.textValueSelected.connect(self._note_chosen)
        self.note_dialog = dlg
        dlg.open()

    def _note_chosen(self, text: str) -> None:
        self.annotations.set_note(self._note_rowids, text)

    def _status(self, text: str) -> None:
        win = self.browser.window()
        if isinstance(win, QMainWindow):
            win.statusBar().showMessage(text, 4000)

    def use_contact_name(self, contact: Contact, message_id: str) -> str:
        """Name the contact's numbers after a vCard received in message ``message_id``."""
        case = self.browser.case
        if case is None or not contact.name or not contact.phones:
            return ""
        try:
            result = set_names(
                case,
                [(phone, contact.name) for phone in contact.phones],
                source="vcard",
                origin=message_id,
                examiner=self.annotations.examiner(),
            )
        except CaseError as exc:
            self._on_failed(str(exc))
            return str(exc)
        self.reload_names()
        text = f"{contact.name}: {result.added + result.changed} numbers named"
        self._status(text)
        return text

    # -- reactions ----------------------------------------------------------------------------
    def _on_marks(self) -> None:
        b = self.browser
        b.search.set_tag_names([t.name for t in self.annotations.tags()])
        b.thread_view.thread_model.reload_marks()
        b.conversations.conversation_model.reload_tags()
        self.tags_panel.reload()
        current = b.thread_view.current_item()
        if current is not None and b.case is not None:
            b.inspector.show_rowid(b.case, current.rowid)

    def _on_names(self) -> None:
        b = self.browser
        b.conversations.viewport().update()
        b.conversations.conversation_model.layoutChanged.emit()
        conv = b.thread_view.conversation()
        b.thread_view._show_conversation_header(conv)
        b.thread_view.delegate.clear_cache()
        b.thread_view.thread_model.reload_marks()
        b.search.results_view.viewport().update()

    def _on_failed(self, text: str) -> None:
        self.failure_box = plain_warning(self.browser, "Cannot change the case", text)


def plain_warning(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A warning whose text (which may quote a tag's or a file's name) is plain text: a
    name such as ``<b>Hot</b>`` is shown as written, not read as markup."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    set_plain_text(box, text)
    box.open()
    return box


# -- the window's part ------------------------------------------------------------------------


class WindowWorkbench(QObject):
    """Docks and menu actions of the main window."""

    names_imported = Signal()  # Import Names… finished (whatever the outcome)

    def __init__(self, window: QMainWindow, browser, settings: AppSettings) -> None:
        super().__init__(window)
        self.settings = settings  # the window's settings file
        self.failure_box: QMessageBox | None = None  # the last refusal shown
        self._names_reader: _NamesReader | None = None  # Import Names… reading its file
        wb: BrowserWorkbench = browser.workbench
        wb.annotations.examiner = self.examiner
        self.docks: dict[str, QDockWidget] = {}
        self._dock("Tags", wb.tags_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        from msgcopy_viewer.ui.widgets.contact_graph import ContactGraphView
        from msgcopy_viewer.ui.widgets.gallery_view import GalleryPanel
        from msgcopy_viewer.ui.widgets.timeline_view import TimelinePanel

        self.timeline = TimelinePanel(browser.tz)
        self.timeline.rangeSelected.connect(self._on_range)
        self.graph = ContactGraphView()
        self.graph.conversationRequested.connect(self._open_conversation)
        self.gallery = GalleryPanel(browser.tz, browser.thumbnails)
        self.gallery.messageRequested.connect(self._open_rowid)
        self.gallery.model.names = wb.names
        self.timeline.scope_source = self._scope
        self.gallery.conversation_source = self._conversation_shown
        self._dock("Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("Who Talked to Whom", self.graph, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("Media", self.gallery, Qt.DockWidgetArea.BottomDockWidgetArea)
        window.tabifyDockWidget(self.docks["Timeline"], self.docks["Who Talked to Whom"])
        window.tabifyDockWidget(self.docks["Who Talked to Whom"], self.docks["Media"])
        # hidden until asked for (View menu): the reading panes keep the whole window
        for name in ("Tags", "Timeline", "Who Talked to Whom", "Media"):
            self.docks[name].hide()
            self.docks[name].visibilityChanged.connect(self._refresh_visible)
        self.act_import_names = QAction("Import &Names…", window)
        self.act_import_names.setStatusTip("Names for numbers from a CSV (number,name) or vCard")
        self.act_import_names.triggered.connect(self.import_names_dialog)
        self.act_manage_tags = QAction("Manage &Tags…", window)
        self.act_manage_tags.setStatusTip("Add, rename, recolour or delete the case's tags")
        self.act_manage_tags.triggered.connect(wb.manage_tags)
        self.act_manage_tags.setEnabled(False)
        self.act_examiner = QAction("&Examiner Name…", window)
        self.act_examiner.setStatusTip("The name the audit log records for your changes")
        self.act_examiner.triggered.connect(self.examiner_dialog)

    @property
    def window(self) -> QMainWindow:
        return self.parent()  # type: ignore[return-value]

    @property
    def browser(self):
        return self.window.browser

    def _open_rowid(self, rowid: int) -> None:
        self.browser.open_rowid(rowid)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(title.replace(" ", "") + "Dock")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        self.docks[title] = dock

    def fill_menus(self, file_menu: QMenu, view_menu: QMenu, edit_menu: QMenu) -> None:
        wb: BrowserWorkbench = self.browser.workbench
        before = getattr(self.window, "act_ledger", None)  # after Export, before the ledger
        if before is not None and before in file_menu.actions():
            file_menu.insertAction(before, self.act_import_names)
        else:
            file_menu.addAction(self.act_import_names)
        edit_menu.addAction(wb.undo_action)
        edit_menu.addAction(wb.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_manage_tags)
        edit_menu.addAction(self.act_examiner)
        view_menu.addSeparator()
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())

    def examiner(self) -> str:
        name = " ".join(self.settings.text(EXAMINER_KEY).split())
        return name or login_name()

    def set_case(self, case_path: Path | None) -> None:
        self.act_import_names.setEnabled(case_path is not None)
        self.act_manage_tags.setEnabled(case_path is not None)
        self._refresh_visible()

    # -- slots --------------------------------------------------------------------------------
    def _refresh_visible(self, *_a: object) -> None:
        case = self.browser.case
        conn = case.conn if case is not None else None
        if self.docks["Timeline"].isVisible():
            self.timeline.set_connection(conn)
        if self.docks["Who Talked to Whom"].isVisible():
            self.graph.set_connection(conn, self.browser.workbench.names)
        if self.docks["Media"].isVisible():
            self.gallery.set_connection(conn, case)

    def _conversation_shown(self) -> str | None:
        conv = self.browser.thread_view.conversation()
        return conv.id if conv is not None else None

    def _scope(self, key: str) -> tuple[int | None, str | None]:
        conv = self.browser.thread_view.conversation()
        if conv is None:
            return None, None
        if key == "subscriber":
            return conv.subscriber_id, None
        return None, conv.id

    def _on_range(self, from_ms: int, to_ms: int) -> None:
        self.browser.search.set_time_range(from_ms, to_ms)

    def _open_conversation(self, conversation_id: str) -> None:
        case = self.browser.case
        if case is None:
            return
        conv = get_conversation(case.conn, conversation_id)
        if conv is not None and conv.last_rowid is not None:
            self.browser.open_rowid(conv.last_rowid)

    def import_names_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import Names", "", "Address books (*.csv *.txt *.vcf);;All files (*)"
        )
        if path:
            self.import_names_in_background(Path(path))

    def import_names_in_background(self, path: Path) -> None:
        """Read and parse the file on a thread of its own (a large vCard file takes seconds),
        then store the names from the GUI thread, which owns the case's connection."""
        case = self.browser.case
        if case is None or self._names_reader is not None:
            return
        self.window.statusBar().showMessage(f"Reading names from {path.name}…")
        self.act_import_names.setEnabled(False)
        reader = _NamesReader(path, case, self)
        # a bound method of this object (which lives in the GUI thread): queued to it
        reader.done.connect(self._names_read)
        self._names_reader = reader
        reader.start()

    def _names_read(self, book: object, error: object) -> None:
        reader, self._names_reader = self._names_reader, None
        self.act_import_names.setEnabled(True)
        if reader is None:
            return
        path = reader.path
        if reader.case is not self.browser.case:  # the case was closed or another one opened
            self.window.statusBar().showMessage(
                f"Names from {path.name} not imported: the case was closed", 8000
            )
        else:
            self.import_names(path, book=book, error=error)
        self.names_imported.emit()

    def import_names(self, path: Path, *, book: object = None, error: object = None) -> str:
        """Import names from a file into the open case; returns (and shows) the outcome.
        ``book`` (or ``error``): the file already read by ``import_names_in_background``."""
        from msgcopy_viewer.core.address_book import AddressBook, AddressBookError
        from msgcopy_viewer.store.case import CaseError
        from msgcopy_viewer.store.names import read_names_file, set_names

        case = self.browser.case
        if case is None:
            return ""
        try:
            if isinstance(error, Exception):
                raise error
            if not isinstance(book, AddressBook):
                book = read_names_file(path)
            result = set_names(
                case, book.entries, source="file", origin=path.name, examiner=self.examiner()
            )
        except (OSError, AddressBookError, CaseError) as exc:
            text = f"Cannot import names from {path.name}: {exc}"
            self.window.statusBar().clearMessage()
            self.failure_box = plain_warning(self.window, "Import Names", text)
            return text
        self.browser.workbench.reload_names()
        problems = book.problems + result.problems
        text = (
            f"{result.added} names added, {result.changed} changed, {result.unchanged} "
            f"unchanged from {path.name}" + (f"; {len(problems)} lines skipped" if problems else "")
        )
        self.window.statusBar().showMessage(text, 8000)
        return text

    def examiner_dialog(self) -> None:
        dlg = QInputDialog(self.window)
        dlg.setWindowTitle("Examiner Name")
        dlg.setLabelText("Your name, as the case's audit log records it:")
        dlg.setTextValue(self.examiner())
        dlg.textValueSelected.connect(self.set_examiner)
        self.examiner_input = dlg
        dlg.open()

    def set_examiner(self, name: str) -> None:
        clean = " ".join(name.split())
        if clean:
            self.settings.set_text(EXAMINER_KEY, clean)


class _NamesReader(QObject):
    """Reads an address-book file on a thread of its own; ``done(book, error)`` is queued to
    the GUI thread (this object lives there)."""

    done = Signal(object, object)  # AddressBook | None, Exception | None

    def __init__(self, path: Path, case: object, parent: QObject) -> None:
        super().__init__(parent)
        self.path = path
        self.case = case  # the case the names are for (checked when they arrive)
        self._worker = threading.Thread(target=self._run, name="msgcopy-names-reader", daemon=True)

    def start(self) -> None:
        self._worker.start()

    def _run(self) -> None:
        from msgcopy_viewer.core.address_book import AddressBookError
        from msgcopy_viewer.store.names import read_names_file

        try:
            self.done.emit(read_names_file(self.path), None)
        except (OSError, AddressBookError) as exc:  # said to the user from the GUI thread
            self.done.emit(None, exc)
        except Exception as exc:  # a bug: logged, and said plainly
            log.exception("reading names from %s failed", self.path)
            self.done.emit(None, OSError(f"could not be read ({type(exc).__name__})"))
