"""View ▸ Reload (F5) reads the open case again: what another program changed since it was
opened (the command line tagging, naming or importing) appears, the selection kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import annotations as an
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.names import set_names
from msgcopy_viewer.ui.models.roles import ID_ROLE
from tests.gui.helpers_browse import BIG_OTHER, SUB, browse_case, browse_master
from tests.integration.vendor import sms_event, write

__all__ = ["browse_case", "browse_master"]

pytestmark = pytest.mark.gui


def test_reload_shows_what_another_program_changed(
    qtbot: Any, make_window: Any, browse_case: Path, tmp_path: Path
) -> None:
    window = make_window()
    assert window.open_case(browse_case)
    b = window.browser
    model = b.conversations.conversation_model
    rows_before = model.rowCount()
    total_before = b.case.conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    cid = model.index(0, 0).data(ID_ROLE)
    rowid = b.case.conn.execute(
        "SELECT rowid FROM messages WHERE conversation_id = ? LIMIT 1", (cid,)
    ).fetchone()[0]
    assert b.open_rowid(rowid)

    # another program: a tag on the conversation, a name, and a new conversation imported
    with Case.open(browse_case) as other:
        an.create_tag(other, "From the CLI", "#123456", examiner="CLI")
        an.tag_conversation(other, cid, "From the CLI", examiner="CLI")
        set_names(other, [(BIG_OTHER, "Alice Big")], source="file", origin="b.csv", examiner="CLI")
    write(tmp_path / "new" / "n.json", sms_event("brand new", mobile=SUB, other="15550001234"))
    Importer(browse_case, workers=1).run([tmp_path / "new"])

    assert not any("From the CLI" in str(model.index(r, 0).data()) for r in range(model.rowCount()))
    window.act_reload.trigger()
    titles = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert any(t.startswith("[From the CLI] ") for t in titles), titles
    assert any("Alice Big" in t for t in titles), titles
    total = b.case.conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    assert total == total_before + 1
    assert model.rowCount() >= min(rows_before + 1, total)
    assert [t.name for t in b.workbench.annotations.tags()][-1] == "From the CLI"
    # the message the user was reading is still the one selected
    assert b.thread_view.current_item() is not None
    assert b.thread_view.current_item().rowid == rowid
    assert window.statusBar().currentMessage() == "Case read again"
