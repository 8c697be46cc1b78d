"""The export dialog: entry points, selections offered, a run on a worker, Cancel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.ui.models.roles import ROW_ROLE
from tests.gui.conftest import Corpus

pytestmark = pytest.mark.gui


def _open(window: Any, tmp_path: Path, corpus: Corpus) -> Path:
    case = tmp_path / "x.mcase"
    Importer(case, workers=1).run([corpus.folder])
    window.open_case(case)
    return case


def _run(qtbot: Any, dialog: Any, fmt: str, out: Path) -> None:
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.output.setText(str(out))
    assert dialog.start()
    assert dialog.running and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)


def test_file_menu_exports_a_bundle_with_the_examiner(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    _open(window, tmp_path, corpus)
    assert window.act_export_report in window.export_menu.actions()
    window.act_export_report.trigger()
    dialog = window.export_dialog
    assert dialog is not None and dialog.isVisible()
    assert [label for label, _ in dialog.choices] == ["Whole case"]
    dialog.examiner.setText("J. Doe")
    out = tmp_path / "bundle"
    _run(qtbot, dialog, "bundle", out)
    assert "wrote a bundle of 6 messages" in dialog.status.text()
    assert dialog.open_button.isVisible() and dialog.folder_to_open() == out
    report = json.loads((out / "case-report.json").read_text(encoding="utf-8"))
    assert report["examiner"] == "J. Doe" and report["messages"] == 6
    assert (out / "transcript.pdf").stat().st_size > 0
    dialog.close()
    assert window.settings.text("report/examiner") == "J. Doe"  # remembered for next time


def _trigger_export(menu: Any) -> None:
    actions = [a for a in menu.actions() if a.text() == "&Export…"]
    assert len(actions) == 1, [a.text() for a in menu.actions()]
    actions[0].trigger()
    menu.deleteLater()


def test_right_click_on_messages_exports_them(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    _open(window, tmp_path, corpus)
    b = window.browser
    conv_view = b.conversations
    qtbot.waitUntil(lambda: conv_view.model().rowCount() > 0)
    conv_view.setCurrentIndex(conv_view.model().index(0, 0))
    qtbot.waitUntil(lambda: b.thread_view.thread_model.rowCount() > 1)
    lst = b.thread_view.list
    model = lst.model()
    flags = QItemSelectionModel.SelectionFlag
    lst.selectionModel().select(model.index(0, 0), flags.ClearAndSelect)
    lst.selectionModel().select(model.index(1, 0), flags.Select)
    qtbot.waitUntil(lambda: len(b.thread_view.message_actions.rowids) == 2)
    _trigger_export(b.thread_view.message_actions.menu_for(model.index(1, 0)))
    dialog = window.export_dialog
    labels = [label for label, _ in dialog.choices]
    assert labels[0] == "Selected messages (2)"
    assert labels[1].startswith("This conversation: ") and labels[-1] == "Whole case"
    out = tmp_path / "two.jsonl"
    _run(qtbot, dialog, "jsonl", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [model.index(i, 0).data(ROW_ROLE).id for i in (0, 1)]


def test_cancel_leaves_nothing_behind(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    _open(window, tmp_path, corpus)
    dialog = window.show_export_dialog()
    out = tmp_path / "cancelled-html"
    dialog.format.setCurrentIndex(dialog.format.findData("html"))
    dialog.output.setText(str(out))
    assert dialog.start()
    dialog.cancel()  # before the first progress report: the export stops at it
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "cancelled" in dialog.status.text()
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cancelled")] == []


def test_a_refused_output_is_said_plainly(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus
) -> None:
    _open(window, tmp_path, corpus)
    dialog = window.show_export_dialog()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("x")
    _run(qtbot, dialog, "html", taken)
    assert dialog.status.text().startswith("Export failed: ")
    assert "not an empty folder" in dialog.status.text()
    assert (taken / "keep.txt").read_text() == "x"


def test_context_menus_open_the_dialog_with_what_was_clicked(
    qtbot: Any, window: Any, tmp_path: Path, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.ui.widgets.export_dialog import ExportMenus

    _open(window, tmp_path, corpus)
    b = window.browser
    conv_view = b.conversations
    qtbot.waitUntil(lambda: conv_view.model().rowCount() > 1)
    conv = conv_view.model().index(1, 0).data(ROW_ROLE)
    _trigger_export(conv_view.menu_for(1))  # the conversation right-clicked, not the current
    labels = [label for label, _ in window.export_dialog.choices]
    assert labels == [f"This conversation: {conv.title}", "Whole case"]
    assert window.export_dialog.choices[0][1].conversations == (conv.id,)
    window.export_dialog.close()

    sub_view = b.subscribers
    sub_index = next(
        sub_view.model().index(r, 0, sub_view.model().index(d, 0))
        for d in range(sub_view.model().rowCount())
        for r in range(sub_view.model().rowCount(sub_view.model().index(d, 0)))
    )
    sub_view.setCurrentIndex(sub_index)
    info = sub_index.data(ROW_ROLE)
    qtbot.waitUntil(lambda: conv_view.model().rowCount() > 0)
    _trigger_export(conv_view.menu_for(0))
    labels = [label for label, _ in window.export_dialog.choices]
    assert labels[1:] == [f"This subscriber: {info.mobile}", "Whole case"]
    window.export_dialog.close()

    monkeypatch.setattr(ExportMenus, "_ask", lambda self, view, pos: True)
    b.search.field.setText("12145555273")
    b.search.run_now()
    results = b.search.results_view
    qtbot.waitUntil(lambda: results.model().rowCount() > 0, timeout=10_000)
    first = results.model().index(0, 0)
    results.customContextMenuRequested.emit(results.visualRect(first).center())
    choices = window.export_dialog.choices
    assert choices[0][0] == "This message"
    assert choices[0][1].rowids == (first.data(ROW_ROLE).message.rowid,)
    assert [c[0] for c in choices[1:]] == [
        f"This subscriber: {info.mobile}",
        "Search results: 12145555273",
        "Whole case",
    ]
    assert choices[2][1].query == "12145555273"
    assert choices[1][1].subscriber == info.mobile
