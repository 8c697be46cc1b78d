"""Rule 6 in the GUI: evidence text is plain text in every widget and tooltip, and
invisible and bidirectional characters are shown as tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from msgcopy_viewer.ingest.pipeline import ImportProgress
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import get_message
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from msgcopy_viewer.ui.widgets import dialogs
from msgcopy_viewer.ui.widgets.inspector import Inspector
from msgcopy_viewer.ui.widgets.ledger_dialog import LedgerDialog, LedgerModel
from msgcopy_viewer.ui.widgets.progress_bar import ImportProgressWidget
from tests.gui.conftest import _gc_on_gui_thread, boxes
from tests.gui.mms_helpers import (
    import_events,
    mm7,
    mms_event,
    mms_rowids,
    open_viewer,
    part,
    text_part,
    vcard,
)

__all__ = ["_gc_on_gui_thread", "boxes", "open_viewer"]
pytestmark = pytest.mark.gui

RICH = "<b>bold</b><img src=x><a href='http://example.com/?a=1&b=2'>link</a>"
HIDDEN = "\u202e\u200b"  # RIGHT-TO-LEFT OVERRIDE, ZERO WIDTH SPACE
EVIL = RICH + HIDDEN + "gpj.exe"
MARKUP = ("<b>", "<img", "<a ")


@pytest.fixture
def hostile_case(tmp_path: Path) -> tuple[Path, int]:
    body, ctype = mm7(
        [
            text_part(EVIL),
            part("image/jpeg", b"\xff\xd8\xff\xe0 not really", "img", name=EVIL + ".jpg"),
            part("text/x-vcard", vcard("Eve " + EVIL, "+12145550123"), "card", name="c.vcf"),
        ],
        subject=EVIL,
        sender="+12145550111",
    )
    ev = mms_event(body, ctype)
    ev["subscriberParty"] = {  # type: ignore[index]
        "domain": EVIL,
        "mobile": "12145550100",
        "did": EVIL,
        "subrId": EVIL,
    }
    case_path = import_events(tmp_path, [ev])
    return case_path, mms_rowids(case_path)[0]


def _visible(text: str) -> bool:
    return "\u202e" not in text and "\u200b" not in text


def test_inspector_shows_plain_text_and_tokens_everywhere(qtbot: Any, hostile_case) -> None:
    case_path, rowid = hostile_case
    insp = Inspector(TimeZoneSettings("UTC"))
    qtbot.addWidget(insp)
    assert insp.show_invisible.isChecked()  # on by default
    with Case.open(case_path) as case:
        insp.show_message(case, get_message(case.conn, rowid))
        text = insp.details_text()
        assert "⟦U+202E⟧⟦U+200B⟧gpj.exe" in text and _visible(text)
        for tree in (insp.details, insp.parts):
            stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
            while stack:
                item = stack.pop()
                stack.extend(item.child(j) for j in range(item.childCount()))
                for col in range(tree.columnCount()):
                    assert _visible(item.text(col)), item.text(col)
                    tip = item.toolTip(col)
                    assert not any(m in tip for m in MARKUP), tip
                    assert not tip or tip.startswith("<p ")  # rich text, escaped
        assert _visible(insp.raw.toPlainText()) and "⟦U+202E⟧" in insp.raw.toPlainText()
        # copying gives the stored text, not the tokens
        domain = next(
            insp.details.topLevelItem(0).child(j)
            for j in range(insp.details.topLevelItem(0).childCount())
            if insp.details.topLevelItem(0).child(j).text(0) == "Domain"
        )
        insp.details.setCurrentItem(domain)
        insp.copy_value.click()
        assert QGuiApplication.clipboard().text() == EVIL
        insp.copy_json.click()
        assert "\u202e" in QGuiApplication.clipboard().text() or "\\u202e" in (
            QGuiApplication.clipboard().text()
        )
        # the option off: the characters as they are (still plain text)
        insp.show_invisible.setChecked(False)
        assert "\u202e" in insp.details_text()
        insp.show_message(None, None)


def test_mms_viewer_labels_and_tooltips_are_plain(qtbot: Any, open_viewer, hostile_case) -> None:
    case_path, rowid = hostile_case
    dialog = open_viewer(case_path, rowid)
    assert _visible(dialog.windowTitle()) and "⟦U+202E⟧" in dialog.windowTitle()
    for label in dialog.findChildren(QLabel):
        if label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
            assert _visible(label.text()), label.text()
    tips = [w.toolTip() for w in [dialog, *dialog.findChildren(QWidget)]]
    for tip in tips:
        assert not any(m in tip for m in MARKUP), tip
        assert _visible(tip)
    titles = [a.text() for a in dialog.parts_button.menu().actions()]
    assert any("⟦U+202E⟧" in t for t in titles) and all(_visible(t) for t in titles)
    assert any(
        "&&" in t for t in titles
    )  # an "&" in a name is not a shortcut  # the part names are there, escaped


def test_ledger_dialog_rows_and_tooltips(qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = "<b>x<img src=x>" + HIDDEN + "gpj.json"
    (folder / name).write_text("not json")
    case_path = tmp_path / "c.mcase"
    from msgcopy_viewer.ingest.pipeline import Importer

    Importer(case_path, workers=1).run([folder])
    dialog = LedgerDialog(case_path)
    qtbot.addWidget(dialog)
    model = dialog.model
    index = model.index(0, 0)
    shown = model.data(index, Qt.ItemDataRole.DisplayRole)
    assert _visible(shown) and "⟦U+202E⟧" in shown
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "&lt;b&gt;" in tip and _visible(tip)
    assert dialog.summary.textFormat() == Qt.TextFormat.PlainText
    assert LedgerModel.display_text(model.row_at(0), 0) == name  # copies keep the bytes
    dialog.close()


def test_progress_and_message_boxes(qtbot: Any) -> None:
    bar = ImportProgressWidget()
    qtbot.addWidget(bar)
    bar.update_progress(ImportProgress(1, 2, 10, 20, 1, 0.5, "in/" + EVIL))
    assert bar.label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>" not in bar.label.toolTip() and _visible(bar.label.toolTip())
    box = dialogs._box(None, QMessageBox.Icon.Warning, "T", EVIL, None, EVIL)
    assert box.textFormat() == Qt.TextFormat.PlainText and _visible(box.text())
    assert "<b>" not in box.informativeText()
    box.deleteLater()


def test_bubbles_and_list_rows_show_invisible_characters_as_tokens() -> None:
    """The delegates lay out text through ``plain_text``: a right-to-left override in a
    message, a sender or a conversation title is drawn as a token, never obeyed."""
    from msgcopy_viewer.ui.delegates.paint_util import marked_text, match_spans, plain_text

    spoof = "invoice\u202egpj.exe"
    assert plain_text(spoof) == "invoice⟦U+202E⟧gpj.exe"
    assert "\u200b" not in plain_text("a\u200bb") and "⟦U+200B⟧" in plain_text("a\u200bb")
    # highlights count the text as shown, tokens included
    text, spans = marked_text([("x\u202e", False), ("exe", True)])
    assert text.endswith("exe") and spans == [(len("x⟦U+202E⟧"), 3)]
    import re

    assert match_spans(spoof, re.compile("exe")) == [(len("invoice⟦U+202E⟧gpj."), 3)]


def test_time_tooltips_of_thread_and_search_rows_are_escaped(qtbot: Any, tmp_path: Path) -> None:
    """The raw startTime in a message's time tooltip is evidence like any other text: a
    line separator the time parser accepts between the time and its offset is a token."""
    from msgcopy_viewer.store.search import search
    from msgcopy_viewer.ui.models.roles import tooltip_html
    from msgcopy_viewer.ui.models.search_model import SearchResultModel
    from msgcopy_viewer.ui.models.thread_model import ThreadModel
    from tests.integration.vendor import sms_event

    raw = "2024-09-16T19:30:39.090\u2028+0000"
    case_path = import_events(tmp_path, [sms_event("tooltip check", start=raw)])
    tz = TimeZoneSettings()
    with Case.open(case_path) as case:
        hit = search(case.conn, "tooltip")[0]
        assert hit.message.start_raw == raw
        thread = ThreadModel(tz)
        thread.set_conversation(case.conn, hit.message.conversation_id)
        found = SearchResultModel(tz)
        found._rows = [hit]
        for model in (thread, found):
            tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
            assert tip == tooltip_html(tz.tooltip(hit.message.start_ms, raw))
            assert "\u2028" not in tip and "⟦U+2028⟧" in tip
        thread.set_conversation(None, None)
        found.shutdown()
