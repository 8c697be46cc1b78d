"""Import by drag-and-drop (folders, files, zips) on the real window: worker thread, progress,
live refresh, ledger at the end, cancel, failures in plain words."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, Qt, QUrl, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from msgcopy_viewer import paths
from msgcopy_viewer.ui.widgets.ledger_dialog import LedgerModel

from .conftest import Corpus, write_many

pytestmark = pytest.mark.gui


def mime_for(*items: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in items])
    return mime


def drop(target: QWidget, *items: Path) -> tuple[bool, bool]:
    """Drag ``items`` over ``target`` and drop them; returns (enter accepted, drop accepted)."""
    mime = mime_for(*items)
    pos = QPoint(target.width() // 2, target.height() // 2)
    posf = QPointF(pos)
    buttons = Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, move)
    ev = QDropEvent(posf, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(target, ev)
    return enter.isAccepted(), ev.isAccepted()


def wait_import(qtbot: Any, window: Any, timeout: int = 30_000) -> Any:
    qtbot.waitUntil(lambda: not window.import_running, timeout=timeout)
    assert window.last_report is not None
    return window.last_report


def ledger_rows(window: Any) -> list[Any]:
    dialog = window.ledger_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.model.fetch_all()
    return [dialog.model.row_at(i) for i in range(dialog.model.rowCount())]


def db(case_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(case_path))


def test_drop_folder_on_empty_window_imports_into_default_case(
    qtbot: Any, window: Any, corpus: Corpus, data_dir: Path, refresh_spy: Any
) -> None:
    assert window.case_path is None
    # drop on a child of the empty-state page, not on the window itself
    child = window.empty_page.findChildren(QWidget)[0]
    entered, dropped = drop(child, corpus.folder)
    assert entered and dropped
    assert window.case_path == paths.default_case_path(data_dir).resolve()
    assert window.import_running
    assert window.progress.isVisible()
    report = wait_import(qtbot, window)
    assert not window.progress.isVisible()

    assert report.status == "completed"
    assert report.files_seen == corpus.files_in_folder
    assert report.messages_imported == corpus.good_in_folder
    assert window.windowTitle() == "default.mcase — msgcopy-viewer"

    rows = {Path(r.path).name: r for r in ledger_rows(window)}
    assert {r.outcome for r in rows.values()} == {"imported", "rejected", "skipped"}
    assert rows["broken.json"].outcome == "rejected"
    assert "JSON" in (rows["broken.json"].reason or "")
    assert rows[".DS_Store"].outcome == "skipped"
    assert sum(r.new_messages for r in rows.values()) == corpus.good_in_folder
    summary = window.ledger_dialog.summary.text()
    assert "6 imported" in summary and "1 rejected" in summary and "1 skipped" in summary

    # the browser was told about the new conversations as they were committed
    with db(window.case_path) as conn:
        convs = {r[0] for r in conn.execute("SELECT id FROM conversations")}
    assert len(convs) == 3
    assert refresh_spy.touched() == convs
    assert "default case" in window.statusBar().currentMessage() or True


def test_drop_zip_and_file_on_open_case(
    qtbot: Any, window: Any, corpus: Corpus, tmp_path: Path, refresh_spy: Any
) -> None:
    case = tmp_path / "mine.mcase"
    assert window.open_case(case, create=True)
    assert window.windowTitle() == "mine.mcase — msgcopy-viewer"

    # the zip, dropped on the browser (a child that may accept drops itself)
    entered, dropped = drop(window.browser, corpus.zip_path)
    assert entered and dropped
    report = wait_import(qtbot, window)
    assert report.messages_imported == 4  # 3 in batch/ + the copy of msg 0 (new to this case)
    paths_seen = sorted(r.path for r in ledger_rows(window))
    assert paths_seen == [
        "more.zip/batch/copy_of_0.json",
        "more.zip/batch/msg_100.json",
        "more.zip/batch/msg_101.json",
        "more.zip/batch/msg_102.json",
    ]
    assert refresh_spy.calls

    # the folder next: msg_000.json holds the same event as copy_of_0.json → a duplicate
    drop(window, corpus.folder)
    report = wait_import(qtbot, window)
    assert report.messages_imported == corpus.good_in_folder - 1
    rows = {Path(r.path).name: r for r in ledger_rows(window)}
    assert rows["msg_000.json"].outcome == "duplicate"

    # a single file, dropped on the toolbar
    drop(window.toolbar, corpus.single)
    report = wait_import(qtbot, window)
    assert report.messages_imported == 1
    assert [r.outcome for r in ledger_rows(window)] == ["imported"]
    # three imports: the batch selector lists them all, newest first
    assert window.ledger_dialog.batch_combo.count() == 3
    with db(case) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 4 + 5 + 1


def test_drop_of_non_file_data_is_refused(window: Any) -> None:
    mime = QMimeData()
    mime.setText("just text")
    ev = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, ev)
    assert not ev.isAccepted()
    assert not window.import_running


def test_import_menu_actions_use_the_same_path(
    qtbot: Any, window: Any, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "ask_import_files", lambda: [str(corpus.single)])
    window.act_import_files.trigger()
    report = wait_import(qtbot, window)
    assert report.messages_imported == 1
    monkeypatch.setattr(window, "ask_import_folder", lambda: str(corpus.folder))
    window.act_import_folder.trigger()
    report = wait_import(qtbot, window)
    assert report.messages_imported == corpus.good_in_folder


def test_cancel_mid_import_leaves_a_consistent_case(
    qtbot: Any, window: Any, tmp_path: Path
) -> None:
    folder = write_many(tmp_path / "big", 3000)
    case = tmp_path / "big.mcase"
    assert window.open_case(case, create=True)
    progress_seen: list[Any] = []

    class User(QObject):
        """Lives on the GUI thread, so the worker's signal reaches it queued (a plain
        function would run on the worker thread and must not touch widgets)."""

        @Slot(object)
        def on_progress(self, p: Any) -> None:
            progress_seen.append(p)
            if len(progress_seen) == 1:
                # what the user does: click Cancel in the status bar
                qtbot.mouseClick(window.progress.cancel_button, Qt.MouseButton.LeftButton)

    user = User()
    assert window.start_import([folder])
    window.import_worker.progress.connect(user.on_progress)
    report = wait_import(qtbot, window, timeout=60_000)

    assert progress_seen
    assert report.status == "cancelled"
    assert report.files_seen < 3000
    with db(case) as conn:
        status, imported = conn.execute(
            "SELECT status, messages_imported FROM import_batches WHERE id = ?",
            (report.batch_id,),
        ).fetchone()
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        ledger_new = conn.execute(
            "SELECT coalesce(sum(new_messages), 0) FROM source_files WHERE batch_id = ?",
            (report.batch_id,),
        ).fetchone()[0]
        files = conn.execute(
            "SELECT count(*) FROM source_files WHERE batch_id = ?", (report.batch_id,)
        ).fetchone()[0]
    assert status == "cancelled"
    assert messages == ledger_new == imported == report.messages_imported
    assert files == report.files_seen
    assert "Import #" in window.ledger_dialog.summary.text()
    assert "(cancelled)" in window.ledger_dialog.summary.text()


def test_closing_the_window_during_an_import_cancels_and_waits(
    qtbot: Any, make_window: Any, tmp_path: Path, boxes: Any
) -> None:
    from msgcopy_viewer.ui.workers.import_worker import running_worker_threads

    window = make_window()
    folder = write_many(tmp_path / "big", 1500)
    case = tmp_path / "c.mcase"
    window.open_case(case, create=True)
    window.start_import([folder])
    assert window.import_running
    window.close()  # the "stop it and close?" question is answered Yes
    assert "Import running — msgcopy-viewer" in boxes.titles()
    assert not window.import_running
    assert running_worker_threads() == 0
    with db(case) as conn:
        (status,) = conn.execute("SELECT status FROM import_batches").fetchone()
    assert status in ("cancelled", "completed")


def test_refusing_to_close_keeps_the_import_running(
    qtbot: Any, window: Any, tmp_path: Path, boxes: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    folder = write_many(tmp_path / "big", 600)
    window.open_case(tmp_path / "c.mcase", create=True)
    window.start_import([folder])
    boxes.answer = QMessageBox.StandardButton.No
    window.close()
    assert window.isVisible() or window.import_running or window.last_report is not None
    wait_import(qtbot, window)
    boxes.answer = QMessageBox.StandardButton.Yes


def test_import_failure_is_a_plain_dialog(
    qtbot: Any,
    window: Any,
    corpus: Corpus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    boxes: Any,
) -> None:
    from msgcopy_viewer.ingest import pipeline

    def disk_full(self: Any, paths: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pipeline.Importer, "run", disk_full)
    window.open_case(tmp_path / "c.mcase", create=True)
    window.start_import([corpus.folder])
    qtbot.waitUntil(lambda: not window.import_running, timeout=10_000)
    box = boxes.boxes[-1]
    assert box.title == "Import failed — msgcopy-viewer"
    assert "disk" in box.text and "full" in box.text
    assert "Traceback" not in box.text
    assert window.ledger_dialog is None


def test_live_refresh_while_importing(
    qtbot: Any, window: Any, tmp_path: Path, refresh_spy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Conversations appear as transactions commit, before the import ends."""
    from msgcopy_viewer.ingest import pipeline

    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MIN", 0.0)  # commit after every file group
    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MAX", 0.0)
    folder = write_many(tmp_path / "many", 300)
    window.open_case(tmp_path / "c.mcase", create=True)
    window.start_import([folder])
    qtbot.waitUntil(lambda: bool(refresh_spy.calls), timeout=20_000)
    report = wait_import(qtbot, window)
    assert report.messages_imported == 300
    assert len(refresh_spy.calls) >= 2
    assert isinstance(window.ledger_dialog.model, LedgerModel)
