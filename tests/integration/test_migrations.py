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
    src = tmp_path / "corpus"
    for i in range(30):
        write(
            src / f"{i:02d}.json",
            sms_event(f"message {i}", start=f"2024-09-16T19:{i:02d}:00.000Z", other="12145550001"),
        )
    path = tmp_path / "old.mcase"
    with monkeypatch.context() as m:
        m.setattr(case_module, "SCHEMA_VERSION", 1)
        m.setattr(case_module, "MIGRATIONS", MIGRATIONS[:1])
        Importer(path, workers=1).run([src])
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
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
