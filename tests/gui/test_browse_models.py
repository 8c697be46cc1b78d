"""The browse models: qtmodeltester, keyset paging, windows that grow both ways, refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.search import SearchFilters
from msgcopy_viewer.ui.models import conversation_model, thread_model
from msgcopy_viewer.ui.models.conversation_model import ConversationModel
from msgcopy_viewer.ui.models.roles import ROW_ROLE
from msgcopy_viewer.ui.models.search_model import SearchResultModel
from msgcopy_viewer.ui.models.subscriber_model import SubscriberModel
from msgcopy_viewer.ui.models.thread_model import ThreadModel
from msgcopy_viewer.ui.timezone import TimeZoneSettings
from tests.gui.helpers_browse import (
    BIG,
    big_conversation_id,
    big_event,
    browse_case,
    browse_master,
    needle_rowid,
)

__all__ = ["browse_case", "browse_master"]


@pytest.fixture
def case(browse_case) -> Iterator[Case]:
    c = Case.open(browse_case)
    yield c
    c.close()


def test_subscriber_model(qtmodeltester, case: Case) -> None:
    model = SubscriberModel()
    model.set_connection(case.conn)
    qtmodeltester.check(model)
    assert model.rowCount() >= 2
    domain = model.index(0, 0)
    assert model.rowCount(domain) >= 1
    sub = model.index(0, 0, domain)
    info = sub.data(ROW_ROLE)
    assert info.mobile == sub.data()
    assert model.index(0, 3, domain).data() == str(info.message_count)
    assert model.index_of_subscriber(info.id) == sub


def test_conversation_model_pages(qtmodeltester, case: Case, monkeypatch) -> None:
    monkeypatch.setattr(conversation_model, "PAGE", 5)
    tz = TimeZoneSettings()
    model = ConversationModel(tz)
    model.set_scope(case.conn, None)
    assert model.rowCount() == 5 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 10
    total = case.conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == total
    lasts = [model.conversation(r).last_ms for r in range(total)]
    assert lasts == sorted(lasts, reverse=True)
    assert model.index(0, 0).data() == model.conversation(0).title
    qtmodeltester.check(model)


def test_thread_model_window_grows_both_ways(qtmodeltester, case: Case, monkeypatch) -> None:
    monkeypatch.setattr(thread_model, "PAGE", 40)
    tz = TimeZoneSettings()
    model = ThreadModel(tz)
    cid = big_conversation_id(case.conn)
    model.set_conversation(case.conn, cid)
    assert model.rowCount() == 40 and model.can_fetch_older() and not model.can_fetch_newer()
    # jump into the middle: a window around the message, paging in both directions
    rowid = needle_rowid(case.conn)
    row = model.load_around(case.conn, rowid)
    assert model.item(row).rowid == rowid and model.highlight_rowid == rowid
    assert model.can_fetch_older() and model.can_fetch_newer()
    before = model.rowCount()
    n = model.fetch_older()
    assert n == 40 and model.row_of(rowid) == row + 40
    model.fetch_newer()
    assert model.rowCount() == before + 80
    keys = [model.item(r).key for r in range(model.rowCount())]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    while model.can_fetch_older():
        model.fetch_older()
    while model.can_fetch_newer():
        model.fetch_newer()
    assert model.rowCount() == BIG
    qtmodeltester.check(model)


def test_thread_model_refresh_keeps_selection(qtmodeltester, case: Case, tmp_path) -> None:
    tz = TimeZoneSettings()
    model = ThreadModel(tz)
    cid = big_conversation_id(case.conn)
    model.set_conversation(case.conn, cid)
    keep = QPersistentModelIndex(model.index(model.rowCount() - 3, 0))
    kept_rowid = keep.data(ROW_ROLE).rowid
    # import one newer message into the same conversation
    folder = tmp_path / "more"
    folder.mkdir()
    ev = big_event(BIG + 5)
    ev["message"] = "freshly imported"
    (folder / "more.json").write_text(json.dumps({"smsEvent": [ev]}), encoding="utf-8")
    Importer(case.path, workers=1).run([folder])
    count = model.rowCount()
    model.refresh(kept_rowid)
    assert keep.isValid() and keep.data(ROW_ROLE).rowid == kept_rowid
    assert model.rowCount() == count + 1
    assert model.item(model.rowCount() - 1).text == "freshly imported"
    qtmodeltester.check(model)


def test_search_model(qtbot, qtmodeltester, browse_case) -> None:
    tz = TimeZoneSettings()
    model = SearchResultModel(tz)
    model.set_case_path(browse_case)
    with qtbot.waitSignal(model.finished, timeout=5000):
        model.run("message")
    assert model.rowCount() == 100 and model.canFetchMore()
    with qtbot.waitSignal(model.finished, timeout=5000):
        model.fetchMore()
    assert model.rowCount() == 200
    qtmodeltester.check(model)
    # a newer run makes the older one stale
    model.run("message")
    with qtbot.waitSignal(model.finished, timeout=5000):
        model.run("", SearchFilters(type="mms"))
    model.wait()
    qtbot.wait(10)  # let any queued stale result arrive; it must be ignored
    assert model.rowCount() > 0
    assert all(model.hit(r).message.type == "mms" for r in range(model.rowCount()))
    assert model.data(QModelIndex()) is None
    model.shutdown()
