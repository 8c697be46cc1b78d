"""The main window: a case, the browser, imports (drag-and-drop anywhere), exports, ledger.

Everything slow runs on worker threads (``ui/workers``); the window only reacts to their
signals. Case files are opened through ``store.case.Case`` (which refuses newer cases and
migrates older ones after a backup).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer import paths
from msgcopy_viewer.core.wording import counted, plural
from msgcopy_viewer.ingest.pipeline import ImportProgress, ImportReport
from msgcopy_viewer.store.case import CASE_SUFFIX, Case, CaseError, CaseTooNewError
from msgcopy_viewer.ui import screen_fit
from msgcopy_viewer.ui.icons import app_icon, icon
from msgcopy_viewer.ui.plain_text import menu_title, plain_tooltip
from msgcopy_viewer.ui.settings import AppSettings, RecentCases
from msgcopy_viewer.ui.theme import THEME_LABELS, THEMES, ThemeController
from msgcopy_viewer.ui.timezone import TimeZoneCombo, TimeZoneSettings
from msgcopy_viewer.ui.widgets import dialogs, export_dialog
from msgcopy_viewer.ui.widgets.export_dialog import ExportDialog, ExportMenus
from msgcopy_viewer.ui.widgets.ledger_dialog import LedgerDialog
from msgcopy_viewer.ui.widgets.progress_bar import ImportProgressWidget
from msgcopy_viewer.ui.widgets.receiver_panel import ReceiverIndicator, ReceiverPanel
from msgcopy_viewer.ui.widgets.workbench import WindowWorkbench
from msgcopy_viewer.ui.workers.export_worker import ExportWorker
from msgcopy_viewer.ui.workers.import_worker import ImportWorker, WorkerThread

log = logging.getLogger(__name__)

APP_NAME = paths.APP_NAME
CASE_FILTER = f"msgcopy-viewer cases (*{CASE_SUFFIX});;All files (*)"
_DND_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def browser_class() -> type:
    """The browsing widget (imported late so this module loads on its own)."""
    from msgcopy_viewer.ui.widgets.browser import Browser

    cls: type = Browser
    return cls


def local_paths_from(event: QDropEvent | Any) -> list[str]:
    """The local files/folders a drag carries (empty when it carries anything else)."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def _backups(case_path: Path) -> set[Path]:
    try:
        return set(case_path.parent.glob(f"{case_path.name}.v*.bak"))
    except OSError:
        return set()


# -- the window -----------------------------------------------------------------------------
class MainWindow(QMainWindow):
    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        import_workers: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = str(data_dir) if data_dir else None
        self.import_workers = import_workers
        self.case_path: Path | None = None
        # Why the open case cannot be changed ("" when it can): read-only file or medium.
        self.case_readonly_reason = ""
        self.config_dir = paths.config_dir(data_dir)
        self.settings = AppSettings(self.config_dir)
        self.recent = RecentCases(self.settings)
        self.theme = ThemeController(self.settings.text("view/theme", "system"), self)

        self._import: WorkerThread | None = None
        self._pending_imports: list[list[str]] = []
        self._export: WorkerThread | None = None
        self.ledger_dialog: LedgerDialog | None = None
        self._mms_dialogs: list[QWidget] = []
        self.last_report: ImportReport | None = None

        self.setObjectName("MainWindow")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("msgcopy-viewer main window")
        self.setAcceptDrops(True)
        self.resize(self._default_size())

        self.tz = TimeZoneSettings(self.settings.text("view/time_zone", "UTC") or "UTC", self)
        self.tz.changed.connect(self._on_time_zone_changed)
        self.browser = browser_class()(self.tz, self)
        self.browser.set_time_zone_selector_visible(False)  # the toolbar has the selector
        self.browser.setAccessibleName("Conversations and messages")
        self.browser.messageOpened.connect(self._open_mms)
        self.export_dialog: ExportDialog | None = None
        self.export_menus = ExportMenus(self.browser, self.show_export_dialog)

        self.empty_page = self._build_empty_page()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.browser)
        self.setCentralWidget(self.stack)

        self.progress = ImportProgressWidget(self)
        self.progress.cancelRequested.connect(self.cancel_import)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().setAccessibleName("Status bar")
        # live sources: receiver, watched folders
        self.receiver_panel = ReceiverPanel(self, settings=self.settings)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.receiver_panel)
        self.receiver_panel.hide()
        self.receiver_panel.messagesStored.connect(self._on_live_messages)
        self.statusBar().addPermanentWidget(ReceiverIndicator(self.receiver_panel, self))

        self._build_actions()
        self.workbench = WindowWorkbench(self, self.browser, self.settings)  # docks, actions
        self._build_menus()
        self._build_toolbar()
        self._update_title()
        self._update_actions()
        self.restore_window_state()

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- building ------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon_name:
            action.setIcon(icon(icon_name))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        self.act_new = self._action(
            "&New Case…", self.new_case_dialog, sk.New, "Create a new, empty case file"
        )
        self.act_open = self._action(
            "&Open Case…", self.open_case_dialog, sk.Open, "Open a case file", "open"
        )
        self.act_import_files = self._action(
            "&Import Files…",
            self.import_files_dialog,
            "Ctrl+I",
            "Import Message Copy files or zip archives into the case",
            "import",
        )
        self.act_import_folder = self._action(
            "Import &Folder…",
            self.import_folder_dialog,
            "Ctrl+Shift+I",
            "Import every file in a folder (and its subfolders)",
        )
        self.act_export_jsonl = self._action(
            "&JSON Lines…",
            self.export_jsonl_dialog,
            "Ctrl+E",
            "Export every message as JSON Lines",
        )
        self.act_export_csv = self._action(
            "&CSV…", self.export_csv_dialog, "Ctrl+Shift+E", "Export every message as CSV"
        )
        self.act_export_report = self._action(
            "&Report…", self.show_export_dialog, "Ctrl+Shift+R",
            "Export a selection as a bundle, HTML, PDF, XLSX, CSV or JSON Lines",
        )  # fmt: skip
        self.act_ledger = self._action(
            "Show Import &Ledger…",
            self.show_ledger,
            "Ctrl+L",
            "What each import did with every file",
            "ledger",
        )
        self.act_cancel_import = self._action(
            "&Cancel Import", self.cancel_import, None, "Stop the running import"
        )
        self.act_quit = self._action("&Quit", self.close, sk.Quit, "Close msgcopy-viewer")
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_search = self._action(
            "Focus &Search", self.focus_search, sk.Find, "Search messages", "search"
        )
        # The browser owns Ctrl+F (a shortcut on itself); a window-wide one would make the
        # key ambiguous, so the menu only shows it.
        self.act_search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_time_zone = self._action(
            "&Time Zone…", self.focus_time_zone, "Ctrl+Shift+Z", "Choose the time zone shown"
        )
        self.act_reload = self._action(
            "&Reload",
            self.reload_case,
            QKeySequence.StandardKey.Refresh,
            "Read the case again: what another program (the command line, a receiver or "
            "watcher elsewhere) added or changed since it was opened",
        )
        self.act_shortcuts = self._action(
            "&Keyboard Shortcuts", self.show_shortcuts, "F1", "List the keyboard shortcuts"
        )
        self.act_threading = self._action(
            "&Threading Rule", self.show_threading_rule, None, "How conversations are grouped"
        )
        self.act_about = self._action("&About msgcopy-viewer", self.show_about)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addAction(self.act_new)
        self.file_menu.addAction(self.act_open)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_import_files)
        self.file_menu.addAction(self.act_import_folder)
        self.file_menu.addAction("&Watch Folder…", self.receiver_panel.ask_watch_folder)
        self.file_menu.addAction(self.act_cancel_import)
        self.export_menu = QMenu("&Export", self)
        self.export_menu.addAction(self.act_export_jsonl)
        self.export_menu.addAction(self.act_export_csv)
        self.export_menu.addAction(self.act_export_report)
        self.file_menu.addMenu(self.export_menu)
        self.file_menu.addAction(self.act_ledger)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.act_quit)
        self._fill_recent_menu()

        self.view_menu = bar.addMenu("&View")
        self.view_menu.addAction(self.act_search)
        self.view_menu.addAction(self.act_time_zone)
        self.view_menu.addAction(self.act_reload)
        self.theme_menu = self.view_menu.addMenu("T&heme")
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        self.theme_actions: dict[str, QAction] = {}
        for key in THEMES:
            action = self.theme_menu.addAction(THEME_LABELS[key])
            action.setCheckable(True)
            action.setChecked(key == self.theme.choice)
            action.setData(key)
            action.setStatusTip(
                "Follow the system's light or dark mode"
                if key == "system"
                else f"Always use the {key} palette"
            )
            self.theme_group.addAction(action)
            self.theme_actions[key] = action
        self.theme_group.triggered.connect(self._on_theme_action)
        self.view_menu.addAction(self.receiver_panel.toggleViewAction())
        self.edit_menu = QMenu("&Edit", self)
        bar.insertMenu(self.view_menu.menuAction(), self.edit_menu)
        self.workbench.fill_menus(self.file_menu, self.view_menu, self.edit_menu)

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.act_shortcuts)
        self.help_menu.addAction(self.act_threading)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("MainToolbar")
        tb.setAccessibleName("Main toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addAction(self.act_open)
        tb.addAction(self.act_import_files)
        tb.addAction(self.act_ledger)
        spacer = QWidget(tb)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        label = QLabel("Time zone: ", tb)
        self.tz_combo = TimeZoneCombo(self.tz, tb)
        label.setBuddy(self.tz_combo)
        tb.addWidget(label)
        tb.addWidget(self.tz_combo)
        self.toolbar = tb
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)

    def _build_empty_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("No case open")
        outer = QVBoxLayout(page)
        outer.addStretch(2)
        logo = QLabel(page)
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(logo)
        title = QLabel("No case open", page)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        hint = QLabel(
            "Drop Message Copy files, folders or zip archives anywhere on this window to "
            "import them,\nor create or open a case.",
            page,
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        for text, slot, name in (
            ("New Case…", self.new_case_dialog, "Create a new case"),
            ("Open Case…", self.open_case_dialog, "Open an existing case"),
            ("Import Files…", self.import_files_dialog, "Import files"),
            ("Import Folder…", self.import_folder_dialog, "Import a folder"),
        ):
            button = QPushButton(text, page)
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)
        return page

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = self.recent.items()
        for i, p in enumerate(items):
            name = menu_title(p.name)  # an "&" in a file name is not a shortcut
            label = f"&{i + 1}  {name}" if i < 9 else name
            action = self.recent_menu.addAction(label)
            action.setToolTip(plain_tooltip(str(p)))
            action.setStatusTip(str(p))
            action.setData(str(p))
            action.triggered.connect(self._open_recent_action)
        if items:
            self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear Recent Cases")
        clear.setEnabled(bool(items))
        clear.triggered.connect(self._clear_recent)

    def _open_recent_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.open_case(Path(str(action.data())))

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._fill_recent_menu()

    def _update_title(self) -> None:
        if self.case_path is None:
            self.setWindowTitle(APP_NAME)
            self.setWindowFilePath("")
        else:
            ro = " (read-only)" if self.case_readonly_reason else ""
            self.setWindowTitle(f"{self.case_path.name}{ro} — {APP_NAME}")
            self.setWindowFilePath(str(self.case_path))

    def _update_actions(self) -> None:
        has_case = self.case_path is not None
        importing = self._import is not None
        for action in (self.act_export_jsonl, self.act_export_csv, self.act_export_report,
                       self.act_ledger):  # fmt: skip
            action.setEnabled(has_case)
        self.act_search.setEnabled(has_case)
        self.act_cancel_import.setEnabled(importing)
        writable = not self.case_readonly_reason
        self.act_import_files.setEnabled(writable)
        self.act_import_folder.setEnabled(writable)
        self.act_new.setEnabled(not importing)
        self.act_open.setEnabled(not importing)
        self.recent_menu.setEnabled(not importing)

    def _on_theme_action(self, action: QAction) -> None:
        self.set_theme(str(action.data()))

    def set_theme(self, choice: str) -> None:
        """System (follow the system's dark mode), light or dark; remembered."""
        self.theme.set_choice(choice)
        self.theme_actions[choice].setChecked(True)
        self.settings.set_text("view/theme", choice)

    # -- window size, position and splitters, remembered -----------------------------------
    def restore_window_state(self) -> None:
        """Put the window where it was, made to fit the screen's usable area now (a
        smaller screen, a screen no longer there), and the panes as they were."""
        area = screen_fit.available_geometry(self)
        saved = self.settings.rect("window/geometry")
        if saved is not None:
            self.setGeometry(screen_fit.clamp_rect(saved, area))
        else:
            self.resize(screen_fit.fit_size(self.size(), area))
        if self.settings.flag("window/maximized"):
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        self._splitter_restored = False
        self._frame_fitted = False

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._frame_fitted:
            self._frame_fitted = True
            self.fit_frame_to_screen()

    def fit_frame_to_screen(self) -> None:
        """Make the window with its frame (title bar, borders) fit the usable area."""
        if self.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            return
        area = screen_fit.available_geometry(self)
        frame, inner = self.frameGeometry(), self.geometry()
        if area.contains(frame):
            return
        extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
        fitted = screen_fit.clamp_rect(frame, area)
        self.resize(max(1, fitted.width() - extra_w), max(1, fitted.height() - extra_h))
        self.move(fitted.topLeft())

    def _restore_splitter(self) -> None:
        """Once, when the browser is first shown at its real size: restored while it is
        hidden (a few pixels wide), the panes would be stretched again afterwards."""
        if self._splitter_restored or not self.isVisible():
            return
        self._splitter_restored = True
        splitter = getattr(self.browser, "splitter", None)
        state = self.settings.bytes("window/browser_splitter")
        if splitter is None or state is None:
            return
        for widget in (self, self.stack, self.browser, self.browser.pages):
            layout = widget.layout()
            if layout is not None:
                layout.activate()
        splitter.restoreState(state)

    def save_window_state(self) -> None:
        maximized = bool(self.windowState() & Qt.WindowState.WindowMaximized)
        self.settings.set_flag("window/maximized", maximized)
        if not maximized:
            self.settings.set_rect("window/geometry", self.geometry())
        splitter = getattr(self.browser, "splitter", None)
        if splitter is not None and self._splitter_restored:
            self.settings.set_bytes("window/browser_splitter", splitter.saveState())
        self.settings.sync()

    # -- cases -----------------------------------------------------------------------------
    def ask_open_case_path(self) -> str:
        start = str(self.case_path.parent if self.case_path else paths.data_dir(self.data_dir))
        path, _ = QFileDialog.getOpenFileName(self, "Open Case", start, CASE_FILTER)
        return path

    def ask_new_case_path(self) -> str:
        start = str(paths.data_dir(self.data_dir) / f"case{CASE_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "New Case", start, CASE_FILTER)
        return path

    def open_case_dialog(self) -> None:
        path = self.ask_open_case_path()
        if path:
            self.open_case(Path(path))

    def new_case_dialog(self) -> None:
        name = self.ask_new_case_path()
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != CASE_SUFFIX:
            path = path.with_name(path.name + CASE_SUFFIX)
        if path.exists():
            dialogs.show_warning(
                self,
                "Case already exists",
                f"{path} already exists. It was not replaced; use Open Case… to open it.",
            )
            return
        self.open_case(path, create=True)

    def open_case(self, path: str | Path, *, create: bool = False) -> bool:
        """Open (or create) a case and show it. Errors are shown as dialogs; returns success."""
        if self._import is not None:
            dialogs.show_warning(
                self,
                "Import running",
                "An import is running. Wait for it to finish or cancel it, then open another case.",
            )
            return False
        p = Path(path).expanduser().absolute()
        before = _backups(p)
        try:
            case = Case.open(p, create=create)
        except CaseTooNewError as exc:
            dialogs.show_error(self, "Case made by a newer version", str(exc))
            return False
        except CaseError as exc:
            dialogs.show_error(self, "Cannot open the case", str(exc))
            if not p.exists():
                self.recent.remove(p)
            return False
        try:
            resolved = case.path
            readonly_reason = case.readonly_reason
        finally:
            case.close()
        made = sorted(_backups(resolved) - before)
        self.case_readonly_reason = readonly_reason
        self._set_case(resolved)
        if made:
            dialogs.show_info(
                self,
                "Case upgraded",
                f"{resolved.name} was made by an older version of msgcopy-viewer and has been "
                f"upgraded to the current format.\n\nA copy of the case as it was before the "
                f"upgrade was saved as:\n{made[-1]}",
            )
        return True

    def _set_case(self, path: Path) -> None:
        self.case_path = path
        if self.ledger_dialog is not None:
            self.ledger_dialog.close()
            self.ledger_dialog = None
        self.browser.set_case(path)
        self.receiver_panel.set_case(path)
        self.workbench.set_case(path)
        self.stack.setCurrentWidget(self.browser)
        self._restore_splitter()
        self.recent.add(path)
        self._fill_recent_menu()
        self._update_title()
        self._update_actions()
        if self.case_readonly_reason:
            self.statusBar().showMessage(
                f"Opened {path} read-only ({self.case_readonly_reason}): it can be read, "
                "searched and exported, not imported into",
                15000,
            )
        else:
            self.statusBar().showMessage(f"Opened {path}", 8000)
        log.info("opened case %s%s", path, " (read-only)" if self.case_readonly_reason else "")

    # -- importing -------------------------------------------------------------------------
    def ask_import_files(self) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import Files",
            str(Path.home()),
            "Message Copy files and zip archives (*.json *.zip *.txt);;All files (*)",
        )
        return files

    def ask_import_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Import Folder", str(Path.home()))

    def import_files_dialog(self) -> None:
        files = self.ask_import_files()
        if files:
            self.start_import(files)

    def import_folder_dialog(self) -> None:
        folder = self.ask_import_folder()
        if folder:
            self.start_import([folder])

    @property
    def import_running(self) -> bool:
        return self._import is not None

    @property
    def import_worker(self) -> ImportWorker | None:
        if self._import is None:
            return None
        worker = self._import.worker
        return worker if isinstance(worker, ImportWorker) else None

    def start_import(self, sources: Sequence[str | Path]) -> bool:
        """Import files, folders and zips into the open case (the default case if none)."""
        wanted = [str(Path(s).expanduser().absolute()) for s in sources]
        found = [s for s in wanted if os.path.exists(s)]
        if not found:
            dialogs.show_warning(
                self,
                "Nothing to import",
                "These do not exist (any more):\n" + "\n".join(wanted),
            )
            return False
        if self._import is not None:
            self._pending_imports.append(found)
            self.statusBar().showMessage(
                f"Queued {counted(len(found), 'item')}; "
                "they are imported when the current import ends",
                8000,
            )
            return True
        if self.case_readonly_reason:
            dialogs.show_warning(
                self,
                "The case is read-only",
                f"{self.case_path} is open read-only ({self.case_readonly_reason}), so nothing "
                "can be imported into it. Open or create a case in a folder you can write to.",
            )
            return False
        note = ""
        if self.case_path is None:
            default = paths.default_case_path(self.data_dir)
            try:
                default.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                dialogs.show_error(
                    self, "Cannot create the case", f"Cannot create {default.parent}: {exc}"
                )
                return False
            if not self.open_case(default, create=True):
                return False
            note = f"No case was open, so this import goes into the default case {default}. "
        assert self.case_path is not None
        worker = ImportWorker(self.case_path, found, workers=self.import_workers)
        worker.progress.connect(self._on_import_progress)
        worker.committed.connect(self._on_import_committed)
        worker.finished.connect(self._on_import_finished)
        worker.failed.connect(self._on_import_failed)
        self._import = WorkerThread(worker, "import")
        what = Path(found[0]).name if len(found) == 1 else counted(len(found), "item")
        self.progress.start(what)
        self.statusBar().showMessage(f"{note}Importing {what}…", 15000)
        self._update_actions()
        self._import.start()
        log.info("import started: %s", found)
        return True

    def cancel_import(self) -> None:
        if self._import is not None:
            self._pending_imports.clear()
            self._import.worker.cancel()  # type: ignore[attr-defined]
            self.statusBar().showMessage("Cancelling the import…", 8000)

    def _on_import_progress(self, p: ImportProgress) -> None:
        if self._import is not None:
            self.progress.update_progress(p)

    def _on_import_committed(self, touched: set[str]) -> None:
        if self._import is None or self.case_path is None:
            return
        self.browser.refresh(set(touched))

    def _on_live_messages(self, touched: set[str]) -> None:
        """Messages arrived through the receiver or a watched folder."""
        if self.case_path is not None:
            self.browser.refresh(set(touched))

    def _end_import(self) -> None:
        runner, self._import = self._import, None
        if runner is not None:
            runner.stop()
        self.progress.stop()
        self._update_actions()

    def _on_import_finished(self, report: ImportReport) -> None:
        if self._import is None:
            return
        self._end_import()
        self.last_report = report
        verb = "cancelled" if report.status == "cancelled" else "finished"
        self.statusBar().showMessage(
            f"Import {verb}: {counted(report.files_seen, 'file', grouped=True)} — "
            f"{report.files_imported:,} imported, "
            f"{report.duplicates:,} duplicate, {len(report.rejected):,} rejected, "
            f"{len(report.skipped):,} skipped; {report.messages_imported:,} new "
            f"{plural(report.messages_imported, 'message')} "
            f"({report.elapsed_s:.1f} s)",
            0,
        )
        self.show_ledger(report.batch_id)
        self._start_next_import()

    def _on_import_failed(self, message: str) -> None:
        if self._import is None:
            return
        self._end_import()
        self._pending_imports.clear()
        self.statusBar().showMessage("Import failed", 0)
        self.browser.refresh(None)
        dialogs.show_error(self, "Import failed", message)

    def _start_next_import(self) -> None:
        if self._pending_imports:
            self.start_import(self._pending_imports.pop(0))

    # -- drag and drop anywhere on the window ------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() not in _DND_EVENTS:
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self:
            return False
        return self._handle_drag_event(event)

    def _handle_drag_event(self, event: Any) -> bool:
        local = local_paths_from(event)
        if not local:
            return False
        if event.type() == QEvent.Type.Drop:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.start_import(local)
        else:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if event.type() == QEvent.Type.DragEnter:
                target = self.case_path.name if self.case_path else "the default case"
                self.statusBar().showMessage(
                    f"Drop to import {counted(len(local), 'item')} into {target}", 3000
                )
        return True

    def dragEnterEvent(self, event: Any) -> None:
        if not self._handle_drag_event(event):
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if not self._handle_drag_event(event):
            event.ignore()

    def dropEvent(self, event: Any) -> None:
        if not self._handle_drag_event(event):
            event.ignore()

    # -- exports ---------------------------------------------------------------------------
    def ask_export_path(self, fmt: str) -> str:
        assert self.case_path is not None
        suffix = ".jsonl" if fmt == "jsonl" else ".csv"
        start = str(self.case_path.with_suffix(suffix))
        filt = "JSON Lines (*.jsonl)" if fmt == "jsonl" else "CSV files (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.upper()}", start, filt)
        return path

    def export_jsonl_dialog(self) -> None:
        self._export_dialog("jsonl")

    def export_csv_dialog(self) -> None:
        self._export_dialog("csv")

    def _export_dialog(self, fmt: str) -> None:
        if self.case_path is None:
            return
        name = self.ask_export_path(fmt)
        if name:
            self.start_export(fmt, Path(name))

    def start_export(self, fmt: str, out: Path) -> bool:
        if self.case_path is None:
            return False
        if self._export is not None:
            dialogs.show_info(self, "Export running", "An export is already running.")
            return False
        worker = ExportWorker(self.case_path, fmt, out)
        worker.finished.connect(self._on_export_finished)
        worker.failed.connect(self._on_export_failed)
        self._export = WorkerThread(worker, "export")
        self.statusBar().showMessage(f"Exporting to {out}…", 0)
        self._export.start()
        return True

    @property
    def export_running(self) -> bool:
        return self._export is not None

    def _end_export(self) -> None:
        runner, self._export = self._export, None
        if runner is not None:
            runner.stop()

    def _on_export_finished(self, result: tuple[int, Path]) -> None:
        if self._export is None:
            return
        self._end_export()
        n, out = result
        self.statusBar().showMessage(f"Exported {counted(n, 'message', grouped=True)} to {out}", 0)

    def _on_export_failed(self, message: str) -> None:
        if self._export is None:
            return
        self._end_export()
        self.statusBar().showMessage("Export failed", 0)
        dialogs.show_error(self, "Export failed", message)

    def show_export_dialog(self, choices: Any = None) -> ExportDialog | None:
        """The export dialog for ``choices`` (default: what the browser shows now)."""
        if self.case_path is None:
            return None
        if not isinstance(choices, list):  # the menu passes its checked flag
            choices = export_dialog.choices_for(self.browser)
        dialog = self.export_dialog = ExportDialog(
            self.case_path, choices, export_dialog.zone_for(self.tz.key), self.settings, self
        )
        dialog.show()
        return dialog

    # -- ledger, MMS, help -----------------------------------------------------------------
    def show_ledger(self, batch_id: int | None = None) -> LedgerDialog | None:
        if self.case_path is None:
            return None
        if not isinstance(batch_id, int) or isinstance(batch_id, bool):
            batch_id = None  # triggered by the menu (checked flag), not by an import
        if self.ledger_dialog is not None:
            self.ledger_dialog.close()
            self.ledger_dialog.deleteLater()
        dialog = LedgerDialog(self.case_path, batch_id, self, tz=self.tz)
        self.ledger_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _open_mms(self, rowid: int) -> None:
        if self.case_path is None:
            return
        try:
            from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog
        except ImportError as exc:
            log.warning("MMS viewer unavailable: %s", exc)
            dialogs.show_info(
                self,
                "MMS viewer unavailable",
                "The MMS viewer is not available in this build, so this message cannot be "
                "opened here. Its parts can still be saved with File ▸ Export.",
            )
            return
        dialog = MmsViewerDialog(self.case_path, int(rowid), self, tz=self.tz)
        self._mms_dialogs = [d for d in self._mms_dialogs if d.isVisible()]
        self._mms_dialogs.append(dialog)
        dialog.show()

    def focus_search(self) -> None:
        if self.case_path is not None:
            self.browser.focus_search()

    def focus_time_zone(self) -> None:
        self.tz_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit = self.tz_combo.lineEdit()
        if edit is not None:
            edit.selectAll()

    def _on_time_zone_changed(self, key: str) -> None:
        self.settings.set_text("view/time_zone", key)

    def reload_case(self) -> None:
        """Read the open case again: new messages and conversations, counts, and the tags,
        notes, bookmarks and names another program changed (the selection is kept)."""
        if self.browser.case is None:
            return
        self.browser.refresh()
        self.browser.workbench.reload()
        self.statusBar().showMessage("Case read again", 4000)

    def shortcuts(self) -> list[tuple[str, str]]:
        """Every shortcut of the window's actions, then the browser's own."""
        result: list[tuple[str, str]] = []
        for action in (
            self.act_new,
            self.act_open,
            self.act_import_files,
            self.act_import_folder,
            self.act_export_jsonl,
            self.act_export_csv,
            self.act_export_report,
            self.act_ledger,
            self.act_search,
            self.act_time_zone,
            self.act_reload,
            self.act_shortcuts,
            self.act_quit,
        ):
            seq = action.shortcut()
            if not seq.isEmpty():
                text = action.text().replace("&", "").rstrip("…")
                result.append((seq.toString(QKeySequence.SequenceFormat.PortableText), text))
        result.append(("Ctrl+C", "Import ledger: copy the selected rows"))
        try:
            result.extend(self.browser.shortcuts())
        except Exception:  # the browser's list is a nicety; never fail the Help menu
            log.exception("browser.shortcuts() failed")
        return result

    def show_shortcuts(self) -> None:
        dialogs.ShortcutsDialog(self.shortcuts(), self).open()

    def show_threading_rule(self) -> None:
        dialogs.threading_rule_dialog(self).open()

    def show_about(self) -> None:
        dialogs.AboutDialog(self).open()

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.receiver_panel.confirm_close():
            event.ignore()
            return
        if self._import is not None:
            if not dialogs.ask_yes_no(
                self,
                "Import running",
                "An import is still running. Stop it and close? Files imported so far are "
                "kept; the import is marked as cancelled.",
            ):
                event.ignore()
                return
            self._pending_imports.clear()
            self._end_import()
        if self._export is not None:
            self._end_export()  # the output is written atomically; waits for it to finish
        self.save_window_state()
        self.shutdown()
        super().closeEvent(event)

    def _default_size(self) -> QSize:
        """Most of the screen (four panes side by side need the room), never more than its
        usable area: a 1280×720 laptop gets a window that fits."""
        area = screen_fit.available_geometry(self)
        return QSize(int(area.width() * 0.92), int(area.height() * 0.9))

    def shutdown(self) -> None:
        """Stop workers and release the case (idempotent)."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self._import is not None:
            self._end_import()
        if self._export is not None:
            self._end_export()
        self.receiver_panel.shutdown()
        if self.ledger_dialog is not None:
            self.ledger_dialog.close()
            self.ledger_dialog = None
        if self.export_dialog is not None:
            self.export_dialog.close()  # cancels a running export: nothing is left behind
        for d in self._mms_dialogs:
            d.close()
        self._mms_dialogs.clear()
        browser_shutdown = getattr(self.browser, "shutdown", None)
        if callable(browser_shutdown):
            browser_shutdown()
        self.theme.restore()
