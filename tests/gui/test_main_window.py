"""The main window: cases (new/open/recent, newer refused, older migrated), title, menus,
exports, help dialogs, and the app start-up (logging, Qt messages, the exception hook)."""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer, qWarning
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from msgcopy_viewer import about, paths
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import case as case_module
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui import main_window
from msgcopy_viewer.ui.widgets import dialogs

from .conftest import Corpus

pytestmark = pytest.mark.gui


def menu_texts(menu: Any) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_title_and_menus(window: Any, tmp_path: Path) -> None:
    assert window.windowTitle() == "msgcopy-viewer"
    assert window.stack.currentWidget() is window.empty_page
    bar = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert bar == ["File", "Edit", "View", "Help"]
    assert menu_texts(window.file_menu) == [
        "New Case…",
        "Open Case…",
        "Open Recent",
        "Import Files…",
        "Import Folder…",
        "Watch Folder…",
        "Cancel Import",
        "Export",
        "Import Names…",
        "Show Import Ledger…",
        "Quit",
    ]
    assert menu_texts(window.export_menu) == ["JSON Lines…", "CSV…", "Report…"]
    assert menu_texts(window.edit_menu) == ["Undo", "Redo", "Manage Tags…", "Examiner Name…"]
    assert menu_texts(window.view_menu) == [
        "Focus Search",
        "Time Zone…",
        "Reload",
        "Theme",
        "Receiver",
        "Tags",
        "Timeline",
        "Who Talked to Whom",
        "Media",
    ]
    assert menu_texts(window.help_menu) == [
        "Keyboard Shortcuts",
        "Threading Rule",
        "About msgcopy-viewer",
    ]
    # without a case, case-only actions are disabled
    assert not window.act_export_csv.isEnabled() and not window.act_ledger.isEnabled()
    assert window.tz_combo.accessibleName() == "Time zone"
    assert window.progress.cancel_button.accessibleName() == "Cancel import"

    assert window.open_case(tmp_path / "Evidence 42.mcase", create=True)
    assert window.windowTitle() == "Evidence 42.mcase — msgcopy-viewer"
    assert window.stack.currentWidget() is window.browser
    assert window.act_export_csv.isEnabled() and window.act_ledger.isEnabled()


def test_new_case_dialog_adds_suffix_and_refuses_to_replace(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boxes: Any
) -> None:
    monkeypatch.setattr(window, "ask_new_case_path", lambda: str(tmp_path / "fresh"))
    window.act_new.trigger()
    assert window.case_path == (tmp_path / "fresh.mcase").resolve()
    assert (tmp_path / "fresh.mcase").exists()
    window.act_new.trigger()  # same name again: not replaced
    assert boxes.boxes[-1].title == "Case already exists — msgcopy-viewer"


def test_open_case_from_a_newer_version_is_refused(window: Any, tmp_path: Path, boxes: Any) -> None:
    path = tmp_path / "future.mcase"
    Case.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    assert not window.open_case(path)
    box = boxes.boxes[-1]
    assert box.icon == QMessageBox.Icon.Critical
    assert box.title == "Case made by a newer version — msgcopy-viewer"
    assert "newer msgcopy-viewer" in box.text and "Update the program" in box.text
    assert window.case_path is None
    assert window.windowTitle() == "msgcopy-viewer"


def test_open_errors_are_plain_dialogs(window: Any, tmp_path: Path, boxes: Any) -> None:
    not_case = tmp_path / "notes.mcase"
    not_case.write_text("hello, this is not a database\n" * 10)
    assert not window.open_case(not_case)
    assert "not a msgcopy-viewer case" in boxes.boxes[-1].text
    assert boxes.boxes[-1].title == "Cannot open the case — msgcopy-viewer"

    other_db = tmp_path / "other.mcase"
    with sqlite3.connect(other_db) as conn:
        conn.execute("CREATE TABLE t(x)")
    assert not window.open_case(other_db)
    assert "not a msgcopy-viewer case" in boxes.boxes[-1].text

    assert not window.open_case(tmp_path / "missing.mcase")
    assert "No case at" in boxes.boxes[-1].text
    assert not window.open_case(tmp_path)  # a folder
    assert "folder" in boxes.boxes[-1].text
    assert all("Traceback" not in b.text for b in boxes.boxes)


def test_older_case_is_migrated_with_a_backup(
    window: Any, tmp_path: Path, boxes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.mcase"
    current = case_module.SCHEMA_VERSION
    Case.open(path).close()  # a case of today's version; pretend the program is one newer
    monkeypatch.setattr(case_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr(
        case_module, "MIGRATIONS", [*case_module.MIGRATIONS, "CREATE TABLE next_extra (x);"]
    )
    assert window.open_case(path)
    backups = list(tmp_path.glob(f"old.mcase.v{current}-*.bak"))
    assert len(backups) == 1
    box = boxes.boxes[-1]
    assert box.title == "Case upgraded — msgcopy-viewer"
    assert backups[0].name in box.text
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current


def test_recent_cases_are_kept_in_the_data_dir_config(
    make_window: Any, tmp_path: Path, data_dir: Path
) -> None:
    window = make_window()
    a, b = tmp_path / "a.mcase", tmp_path / "b.mcase"
    window.open_case(a, create=True)
    window.open_case(b, create=True)
    stored = QSettings(str(data_dir / "config" / "msgcopy-viewer.ini"), QSettings.Format.IniFormat)
    assert [Path(p).name for p in stored.value("recent/cases", [], type=list)] == [
        "b.mcase",
        "a.mcase",
    ]

    window.recent_menu.aboutToShow.emit()
    entries = [x for x in window.recent_menu.actions() if x.data()]
    assert [Path(x.data()).name for x in entries] == ["b.mcase", "a.mcase"]
    entries[1].trigger()
    assert window.case_path == a.resolve()

    # a second window (next start) sees the same list; a vanished case is dropped on open
    second = make_window()
    assert [p.name for p in second.recent.items()] == ["a.mcase", "b.mcase"]
    b.unlink()
    assert not second.open_case(b)
    assert [p.name for p in second.recent.items()] == ["a.mcase"]


def test_export_jsonl_and_csv_run_on_a_worker(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "x.mcase"
    Importer(case, workers=1).run([corpus.folder])
    window.open_case(case)
    out_jsonl = tmp_path / "all.jsonl"
    monkeypatch.setattr(window, "ask_export_path", lambda fmt: str(tmp_path / f"all.{fmt}"))
    window.act_export_jsonl.trigger()
    assert window.export_running
    qtbot.waitUntil(lambda: not window.export_running, timeout=10_000)
    lines = out_jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == corpus.good_in_folder
    assert json.loads(lines[0])["format_version"] == 1
    assert "Exported 6 messages" in window.statusBar().currentMessage()

    window.act_export_csv.trigger()
    qtbot.waitUntil(lambda: not window.export_running, timeout=10_000)
    with (tmp_path / "all.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["date", "direction", "extendmobile", "otherparty", "message"]
    assert len(rows) == 1 + corpus.good_in_folder


def test_export_failure_is_a_dialog(qtbot: Any, window: Any, tmp_path: Path, boxes: Any) -> None:
    window.open_case(tmp_path / "x.mcase", create=True)
    window.start_export("csv", tmp_path / "no-such-folder" / "out.csv")
    qtbot.waitUntil(lambda: not window.export_running, timeout=10_000)
    assert boxes.boxes[-1].title == "Export failed — msgcopy-viewer"
    assert "Traceback" not in boxes.boxes[-1].text


def test_mms_viewer_missing_is_a_plain_message(
    window: Any, tmp_path: Path, boxes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.open_case(tmp_path / "x.mcase", create=True)
    monkeypatch.setitem(sys.modules, "msgcopy_viewer.ui.mms.viewer", None)  # import fails
    window.browser.messageOpened.emit(12)
    assert boxes.boxes[-1].title == "MMS viewer unavailable — msgcopy-viewer"


def test_view_and_help_actions(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.open_case(tmp_path / "x.mcase", create=True)
    called: list[int] = []
    monkeypatch.setattr(window.browser, "focus_search", lambda: called.append(1))
    window.act_search.trigger()
    assert called == [1]

    shortcuts = window.shortcuts()
    keys = [k for k, _ in shortcuts]
    assert "Ctrl+O" in keys and "Ctrl+I" in keys and "F1" in keys and "Ctrl+F" in keys
    assert len(shortcuts) > 10  # the browser's own are listed too

    before = set(QApplication.topLevelWidgets())
    window.act_shortcuts.trigger()
    window.act_threading.trigger()
    window.act_about.trigger()
    opened = [w for w in QApplication.topLevelWidgets() if w not in before]
    dialogs_open = [w for w in opened if isinstance(w, QDialog) and w.isVisible()]
    titles = sorted(d.windowTitle() for d in dialogs_open)
    assert titles == [
        "About — msgcopy-viewer",
        "Keyboard Shortcuts — msgcopy-viewer",
        "Threading Rule — msgcopy-viewer",
    ]
    threading_dialog = next(d for d in dialogs_open if d.windowTitle().startswith("Threading"))
    assert isinstance(threading_dialog, dialogs.ThreadingRuleDialog)
    assert "conversation" in threading_dialog.view.toPlainText().lower()
    for d in dialogs_open:
        d.close()


def test_time_zone_choice_is_remembered(make_window: Any, data_dir: Path) -> None:
    window = make_window()
    assert window.tz.set_zone("Europe/London")
    stored = QSettings(str(data_dir / "config" / "msgcopy-viewer.ini"), QSettings.Format.IniFormat)
    assert stored.value("view/time_zone") == "Europe/London"
    assert make_window().tz.key == "Europe/London"


def test_config_dir_follows_data_dir(
    tmp_path: Path, make_window: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paths.config_dir(tmp_path) == tmp_path.absolute() / "config"
    assert make_window().config_dir == data_dir / "config"
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.config_dir() == tmp_path.absolute() / "env" / "config"
    monkeypatch.delenv(paths.ENV_DATA_DIR)
    assert paths.config_dir().name == "msgcopy-viewer"  # the platform's


# -- app start-up ----------------------------------------------------------------------------
def test_run_app_opens_case_imports_and_exits(
    qtbot: Any, tmp_path: Path, corpus: Corpus, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.ui import app as app_module

    seen: dict[str, Any] = {}
    real_create = app_module.create_main_window

    def create(*args: Any, **kw: Any) -> Any:
        kw["import_workers"] = 1
        window = real_create(*args, **kw)
        seen["window"] = window

        def check_and_close() -> None:
            if window.import_running:
                return
            seen["title"] = window.windowTitle()
            seen["report"] = window.last_report
            seen["ledger"] = window.ledger_dialog is not None
            timer.stop()
            QApplication.closeAllWindows()

        timer = QTimer(window)
        timer.timeout.connect(check_and_close)
        timer.start(50)
        return window

    monkeypatch.setattr(app_module, "create_main_window", create)
    case = tmp_path / "cli.mcase"
    status = app_module.run_app(case, [str(corpus.folder)], str(data_dir))
    assert status == 0
    assert seen["title"] == "cli.mcase — msgcopy-viewer"
    assert seen["report"].messages_imported == corpus.good_in_folder
    assert seen["ledger"]
    log_text = (data_dir / "logs" / "msgcopy-viewer.log").read_text(encoding="utf-8")
    assert "starting" in log_text and "import batch 1 completed" in log_text
    assert sys.excepthook is sys.__excepthook__ or not isinstance(
        sys.excepthook, app_module.ExceptionHook
    )
    app = QApplication.instance()
    assert app.applicationName() == "msgcopy-viewer"
    assert app.desktopFileName() == about.APP_ID  # resources/APP_ID.desktop
    assert not app.windowIcon().isNull()


def test_run_app_reopens_the_last_case(
    qtbot: Any, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.ui import app as app_module

    first = main_window.MainWindow(data_dir)
    first.open_case(tmp_path / "last.mcase", create=True)
    first.close()
    first.deleteLater()
    titles: list[str] = []
    real_create = app_module.create_main_window

    def create(*args: Any, **kw: Any) -> Any:
        window = real_create(*args, **kw)
        titles.append(window.windowTitle())
        QTimer.singleShot(0, QApplication.closeAllWindows)
        return window

    monkeypatch.setattr(app_module, "create_main_window", create)
    assert app_module.run_app(None, [], str(data_dir)) == 0
    assert titles == ["last.mcase — msgcopy-viewer"]


def test_exception_hook_logs_and_shows_a_dialog(
    qtbot: Any, tmp_path: Path, boxes: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from msgcopy_viewer.ui.app import ExceptionHook

    hook = ExceptionHook(tmp_path / "x.log")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            hook(type(exc), exc, exc.__traceback__)
    assert "unexpected error" in caplog.text and "boom" in caplog.text
    box = boxes.boxes[-1]
    assert box.title == "Unexpected error — msgcopy-viewer"
    assert "keeps running" in box.text
    assert "ValueError: boom" in box.informative
    assert "Traceback" in box.details


def test_qt_messages_go_to_logging(caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import qInstallMessageHandler

    from msgcopy_viewer.ui.app import qt_message_handler

    previous = qInstallMessageHandler(qt_message_handler)
    try:
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("a Qt warning for the log")
    finally:
        qInstallMessageHandler(previous)
    assert any(
        r.name == "qt" and "a Qt warning for the log" in r.getMessage() for r in caplog.records
    )


def test_dialog_helpers_use_plain_text(qtbot: Any, boxes: Any) -> None:
    dialogs.show_error(None, "T", "<b>not bold</b>")
    assert boxes.boxes[-1].text == "<b>not bold</b>"
    assert dialogs.ask_yes_no(None, "Q", "Sure?") is True


def test_ctrl_f_reaches_the_search_without_ambiguity(
    qtbot: Any, window: Any, tmp_path: Path
) -> None:
    window.open_case(tmp_path / "x.mcase", create=True)
    window.activateWindow()
    window.browser.setFocus()
    qtbot.keyClick(window.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    focus = QApplication.focusWidget()
    assert focus is not None and window.browser.search.isAncestorOf(focus)


def test_one_time_zone_selector_in_the_window(window: Any) -> None:
    assert window.tz_combo.isVisibleTo(window)
    assert not window.browser.thread_view.tz_combo.isVisibleTo(window)
