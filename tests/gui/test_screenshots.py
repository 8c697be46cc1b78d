"""Screenshots of the main views, for reviewers (docs/screenshots/ with MSGCOPY_SCREENSHOTS=1,
else the test's temporary folder). Every image is checked to be non-blank."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from msgcopy_viewer.ingest.pipeline import Importer

pytestmark = pytest.mark.gui


def settle(qtbot: Any, ms: int = 150) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def save(widget: QWidget, path: Path) -> QImage:
    if isinstance(widget, QMainWindow):  # its status bar names the temporary case file
        widget.statusBar().clearMessage()
    pixmap = widget.grab()
    assert pixmap.save(str(path)), f"could not write {path}"
    image = QImage(str(path))
    assert not image.isNull()
    assert_not_blank(image)
    return image


def assert_not_blank(image: QImage) -> None:
    """More than a handful of distinct colours in a sample grid: something was painted."""
    w, h = image.width(), image.height()
    assert w > 100 and h > 100
    colours = {
        image.pixel(x, y)
        for x in range(0, w, max(1, w // 60))
        for y in range(0, h, max(1, h // 60))
    }
    assert len(colours) > 8, f"image looks blank ({len(colours)} colours)"


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from msgcopy_viewer.demo.generator import generate_demo

    root = tmp_path_factory.mktemp("demo")
    corpus = root / "corpus"
    corpus.mkdir()
    generate_demo(corpus, messages=400, seed=1)
    case = root / "demo.mcase"
    Importer(case, origin="demo", workers=1).run([corpus])
    return case


def test_screenshots(qtbot: Any, make_window: Any, demo_case: Path, shots_dir: Path) -> None:
    window = make_window()
    window.resize(1280, 800)
    settle(qtbot)
    save(window, shots_dir / "empty-window.png")

    assert window.open_case(demo_case)
    with sqlite3.connect(demo_case) as conn:
        # a busy one-to-one conversation with an MMS in it makes a representative thread
        (message_id,) = conn.execute(
            "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.is_group = 0 ORDER BY c.mms_count DESC, c.message_count DESC, "
            "m.start_ms DESC LIMIT 1"
        ).fetchone()
        (batch_id,) = conn.execute("SELECT max(id) FROM import_batches").fetchone()
    window.browser.open_message(message_id)
    settle(qtbot, 300)
    save(window, shots_dir / "demo-thread.png")

    window.browser.focus_search()
    qtbot.keyClicks(window.browser.search.field, "thanks")
    window.browser.search.run_now()
    qtbot.waitUntil(lambda: window.browser.search.is_active(), timeout=5000)
    settle(qtbot, 500)
    save(window, shots_dir / "search-results.png")

    dialog = window.show_ledger(batch_id)
    dialog.resize(1120, 520)
    settle(qtbot)
    save(dialog, shots_dir / "import-ledger.png")
    dialog.set_outcome_filter("rejected")
    settle(qtbot)
    save(dialog, shots_dir / "import-ledger-rejected.png")
    dialog.close()


def test_workbench_screenshots(
    qtbot: Any, make_window: Any, demo_case: Path, shots_dir: Path, tmp_path: Path
) -> None:
    """Tags on bubbles with the Tags panel and the timeline; names with numbers; the media
    gallery; who talked to whom."""
    import shutil

    from msgcopy_viewer.store import annotations as an
    from msgcopy_viewer.store.names import set_names

    case_path = tmp_path / "workbench.mcase"
    shutil.copyfile(demo_case, case_path)  # the module's case stays untagged
    window = make_window()
    window.resize(1400, 900)
    assert window.open_case(case_path)
    b = window.browser
    conn = b.case.conn
    cid, other = conn.execute(
        "SELECT id, json_extract(participants, '$[0]') FROM conversations WHERE is_group = 0 "
        "ORDER BY mms_count DESC, message_count DESC LIMIT 1"
    ).fetchone()
    rowids = [
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY start_ms DESC LIMIT 6",
            (cid,),
        )
    ]
    set_names(b.case, [(other, "Dana Whitfield")], source="file", origin="contacts.csv",
              examiner="Examiner")  # fmt: skip
    b.workbench.reload_names()
    wb = b.workbench.annotations
    wb.add_tag(rowids[:3], "Relevant")
    wb.add_tag(rowids[1:2], "Follow up")
    wb.set_note(rowids[1:2], "Mentions the meeting on Friday")
    wb.toggle_bookmark(rowids[2:3])
    wb.toggle_conversation_tag(cid, "Relevant")  # the conversation too: "[Relevant] …"
    window.workbench.docks["Tags"].show()
    window.workbench.docks["Timeline"].show()
    b.workbench.tags_panel.select_tag("Relevant")
    settle(qtbot, 300)
    b.open_rowid(rowids[1])  # after the docks took their room
    settle(qtbot, 300)
    save(window, shots_dir / "workbench-tags-timeline.png")
    assert an.tag_counts(conn)[0].messages == 3

    window.workbench.docks["Media"].show()
    window.workbench.docks["Media"].raise_()
    gallery = window.workbench.gallery
    qtbot.waitUntil(lambda: gallery.model.rowCount() > 0, timeout=5000)
    b.thumbnails.wait()
    settle(qtbot, 300)
    save(window, shots_dir / "workbench-gallery.png")

    window.workbench.docks["Who Talked to Whom"].show()
    window.workbench.docks["Who Talked to Whom"].raise_()
    settle(qtbot, 200)
    window.workbench.graph.fit()
    settle(qtbot, 100)
    save(window, shots_dir / "workbench-graph.png")

    # Manage Tags…: the case's list with counts, over the window
    window.workbench.act_manage_tags.trigger()
    dialog = b.workbench.manage_dialog
    dialog.resize(460, 320)
    dialog.select("Relevant")
    settle(qtbot, 200)
    save(dialog, shots_dir / "workbench-manage-tags.png")
    assert dialog.model.index(0, 0).data().startswith("Relevant (3, 1 conversation)")
    dialog.close()
