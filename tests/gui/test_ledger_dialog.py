"""The import ledger dialog: model (qtmodeltester), filters, copy, CSV export, batch selector."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.connection import open_writer
from msgcopy_viewer.ui.widgets import ledger_dialog
from msgcopy_viewer.ui.widgets.ledger_dialog import LedgerDialog, LedgerFilterProxy, LedgerModel

from .conftest import Corpus

pytestmark = pytest.mark.gui


@pytest.fixture
def imported_case(tmp_path: Path, corpus: Corpus) -> tuple[Path, int, int]:
    case = tmp_path / "ledger.mcase"
    first = Importer(case, origin="gui", workers=1).run([corpus.folder])
    second = Importer(case, origin="gui", workers=1).run([corpus.zip_path, corpus.single])
    return case, first.batch_id, second.batch_id


def make_dialog(qtbot: Any, case: Path, batch: int | None) -> LedgerDialog:
    dialog = LedgerDialog(case, batch, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_model_passes_qtmodeltester(qtmodeltester: Any, imported_case: Any) -> None:
    case_path, first, second = imported_case
    with Case.open(case_path, create=False) as case:
        model = LedgerModel(case, first)
        qtmodeltester.check(model, force_py=True)
        model.fetch_all()
        assert model.rowCount() == 8
        model.set_batch(case, second)  # switching batch is a reset; the model stays sane
        assert model.rowCount() == 5
        model.set_batch(None, None)
        assert model.rowCount() == 0


def test_filter_proxy_passes_qtmodeltester(qtmodeltester: Any, imported_case: Any) -> None:
    case_path, first, _ = imported_case
    with Case.open(case_path, create=False) as case:
        model = LedgerModel(case, first)
        proxy = LedgerFilterProxy()
        proxy.setSourceModel(model)
        qtmodeltester.check(proxy, force_py=True)
        proxy.set_outcome("rejected")
        assert proxy.rowCount() == 1
        proxy.set_text("nothing matches this")
        assert proxy.rowCount() == 0
        proxy.set_outcome(None)
        proxy.set_text("")
        assert proxy.rowCount() == 8


def test_model_pages_with_keyset_queries(
    qtbot: Any, imported_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_path, first, _ = imported_case
    monkeypatch.setattr(ledger_dialog, "PAGE_ROWS", 3)
    with Case.open(case_path, create=False) as case:
        model = LedgerModel(case, first)
        assert model.rowCount() == 3  # the first page
        assert model.canFetchMore()
        model.fetchMore()
        assert model.rowCount() == 6
        model.fetch_all()
        assert model.rowCount() == 8
        assert not model.canFetchMore()
        ids = [model.row_at(i).id for i in range(8)]
        assert ids == sorted(ids) and len(set(ids)) == 8
        model.set_batch(None, None)


def test_dialog_lists_every_file_with_outcome_and_summary(qtbot: Any, imported_case: Any) -> None:
    case_path, first, second = imported_case
    dialog = make_dialog(qtbot, case_path, first)
    assert dialog.batch_id == first
    rows = dialog.visible_rows()
    by_name = {Path(r.path).name: r for r in rows}
    assert len(rows) == 8
    assert by_name["broken.json"].outcome == "rejected" and by_name["broken.json"].reason
    assert by_name[".DS_Store"].outcome == "skipped"
    assert sum(r.outcome == "imported" for r in rows) == 6
    text = dialog.summary.text()
    assert f"Import #{first} (completed): 8 files" in text
    assert "6 imported, 0 duplicate, 1 rejected, 1 skipped; 6 new messages" in text
    # outcome column text and tooltip with the full path
    proxy = dialog.proxy
    idx = proxy.index(0, ledger_dialog.COL_PATH)
    assert str(case_path.parent) in proxy.data(idx, Qt.ItemDataRole.ToolTipRole)

    # the batch selector lists both imports (newest first) and switches
    assert dialog.batch_combo.count() == 2
    assert dialog.batch_combo.itemData(0) == second
    dialog.batch_combo.setCurrentIndex(0)
    assert dialog.batch_id == second
    names = sorted(Path(r.path).name for r in dialog.visible_rows())
    assert names == [
        "copy_of_0.json",
        "msg_100.json",
        "msg_101.json",
        "msg_102.json",
        "single.json",
    ]
    assert "1 duplicate" in dialog.summary.text()
    dialog.close()


def test_filters_by_outcome_and_text(qtbot: Any, imported_case: Any) -> None:
    case_path, first, _ = imported_case
    dialog = make_dialog(qtbot, case_path, first)
    dialog.set_outcome_filter("rejected")
    assert [Path(r.path).name for r in dialog.visible_rows()] == ["broken.json"]
    dialog.set_outcome_filter(None)
    qtbot.keyClicks(dialog.filter_edit, "SUB/")  # case-insensitive, matches the folder
    assert sorted(Path(r.path).name for r in dialog.visible_rows()) == [
        "msg_004.json",
        "msg_005.json",
    ]
    dialog.filter_edit.clear()
    qtbot.keyClicks(dialog.filter_edit, "json")  # the reason text is searched too
    assert len(dialog.visible_rows()) == 7
    dialog.set_outcome_filter("skipped")
    assert dialog.visible_rows() == []
    dialog.close()


def test_copy_selected_rows_tab_separated(qtbot: Any, imported_case: Any) -> None:
    case_path, first, _ = imported_case
    dialog = make_dialog(qtbot, case_path, first)
    dialog.set_outcome_filter("rejected")
    view = dialog.view
    view.setFocus()
    view.selectionModel().select(
        dialog.proxy.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    fields = text.rstrip("\n").split("\t")
    assert fields[0] == "broken.json"
    assert fields[1] == "rejected"
    assert "JSON" in fields[2]
    assert len(fields) == len(ledger_dialog.COLUMNS)
    dialog.close()


def test_export_csv_atomic(
    qtbot: Any, imported_case: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_path, first, _ = imported_case
    dialog = make_dialog(qtbot, case_path, first)
    out = tmp_path / "out" / "ledger"
    out.parent.mkdir()
    monkeypatch.setattr(dialog, "ask_csv_path", lambda: str(out))
    written = dialog.export_csv()
    assert written == out.with_name("ledger.csv")
    with written.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 8
    assert {r["outcome"] for r in rows} == {"imported", "rejected", "skipped"}
    assert all(r["batch"] == str(first) for r in rows)
    assert [p.name for p in out.parent.iterdir()] == ["ledger.csv"]  # no temp files left

    # filtered export writes the rows shown
    dialog.set_outcome_filter("imported")
    dialog.export_csv()
    with written.open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 6
    dialog.close()


def test_export_csv_failure_is_a_dialog(
    qtbot: Any, imported_case: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boxes: Any
) -> None:
    case_path, first, _ = imported_case
    dialog = make_dialog(qtbot, case_path, first)
    monkeypatch.setattr(dialog, "ask_csv_path", lambda: str(tmp_path / "missing" / "x.csv"))
    assert dialog.export_csv() is None
    assert boxes.boxes[-1].title == "Export failed — msgcopy-viewer"
    dialog.close()


def test_case_without_imports(qtbot: Any, tmp_path: Path) -> None:
    case = tmp_path / "empty.mcase"
    Case.open(case).close()
    dialog = make_dialog(qtbot, case, None)
    assert "no imports" in dialog.summary.text()
    assert dialog.batch_id is None
    assert dialog.export_csv() is None
    dialog.close()


def test_a_failed_import_says_why_in_the_summary(qtbot: Any, imported_case: Any) -> None:
    case_path, first, second = imported_case
    conn = open_writer(case_path)
    try:
        conn.execute(
            "UPDATE import_batches SET status = 'failed', reason = ? WHERE id = ?",
            ("The disk holding the case is full.", second),
        )
    finally:
        conn.close()
    dialog = make_dialog(qtbot, case_path, second)
    text = dialog.summary.text()
    assert f"Import #{second} (failed)" in text
    assert text.endswith("It stopped because: The disk holding the case is full.")
    dialog.batch_combo.setCurrentIndex(dialog.batch_combo.findData(first))
    assert "stopped because" not in dialog.summary.text()
