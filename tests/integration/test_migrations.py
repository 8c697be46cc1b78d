"""A case made by an earlier version is upgraded in place, with a backup, data intact."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from msgcopy_viewer.export.jsonl import write_jsonl
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import case as case_module
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.integration.vendor import sms_event, write


def _index_columns(path: Path, name: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[2] for r in conn.execute(f"PRAGMA index_info({name})")]


def _import_v1_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A version-1 case holding what an import of today writes, less what version 1 lacks:
    today's case is made, then its rows are copied into a file with the version-1 schema."""
    del monkeypatch
    src = tmp_path / "corpus"
    for i in range(30):
        write(
            src / f"{i:02d}.json",
            sms_event(f"message {i}", start=f"2024-09-16T19:{i:02d}:00.000Z", other="12145550001"),
        )
    current = tmp_path / "current.mcase"
    Importer(current, workers=1).run([src])
    path = tmp_path / "old.mcase"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA page_size = 16384")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(f"PRAGMA application_id = {case_module.APPLICATION_ID}")
        conn.execute("ATTACH DATABASE ? AS cur", (str(current),))
        conn.execute("BEGIN")
        for (table,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'message_fts%'"
        ).fetchall():
            cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO main.{table}({cols}) SELECT {cols} FROM cur.{table}")
        conn.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE cur")
    finally:
        conn.close()
    return path


def test_version_1_case_is_upgraded_with_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _import_v1_case(tmp_path, monkeypatch)
    assert _index_columns(path, "messages_by_time") == ["start_ms", "id"]
    out = io.StringIO()
    with pytest.raises(case_module.CaseError, match="needs upgrading"):
        Case.open(path, readonly=True)

    case = Case.open(path)
    try:
        assert case.schema_version() == SCHEMA_VERSION
        assert "reason" in {r[1] for r in case.conn.execute("PRAGMA table_info(import_batches)")}
        assert write_jsonl(case, out) == 30
    finally:
        case.close()
    assert _index_columns(path, "messages_by_time") == ["start_ms"]
    backups = list(tmp_path.glob("old.mcase.v1-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 30
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["text"] for x in lines] == [f"message {i}" for i in range(30)]
    # Version 4 filled each message's own subscriberParty from its stored raw event.
    assert {x["subscriber"]["mobile"] for x in lines} == {"19465559040"}
    assert {x["subscriber"]["subr_id"] for x in lines} == {"s021157"}


def test_version_4_case_gets_searchable_attachment_names(tmp_path: Path) -> None:
    from msgcopy_viewer.store.search import search
    from tests.gui.mms_helpers import mm7, mms_event, part, text_part

    message, mtype = mm7(
        [
            text_part("see attached"),
            part("image/png", b"\x89PNG\r\n\x1a\n" + bytes(40), "i1", "beach-day.png"),
        ]
    )
    src = tmp_path / "corpus"
    write(src / "mms.json", mms_event(message, mtype))
    write(src / "sms.json", sms_event("hello there"))
    current = tmp_path / "current.mcase"
    Importer(current, workers=1).run([src])
    path = tmp_path / "v4.mcase"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for step in MIGRATIONS[:4]:
            conn.executescript(step)
        conn.execute("PRAGMA user_version = 4")
        conn.execute(f"PRAGMA application_id = {case_module.APPLICATION_ID}")
        conn.execute("ATTACH DATABASE ? AS cur", (str(current),))
        conn.execute("BEGIN")
        for (table,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'message_fts%'"
        ).fetchall():
            cols = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO main.{table}({cols}) SELECT {cols} FROM cur.{table}")
        conn.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE cur")
    finally:
        conn.close()
    with Case.open(path) as case:
        assert case.schema_version() == SCHEMA_VERSION
        hits = search(case.conn, "beach")
        assert [h.message.attachment_names for h in hits] == ["text1.txt\nbeach-day.png"]
        assert len(search(case.conn, "hello")) == 1  # the rebuilt index still has the texts
    assert len(list(tmp_path.glob("v4.mcase.v4-*.bak"))) == 1
