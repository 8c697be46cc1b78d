"""Case format 7: a case imported before alphanumeric senders were shown as received has its
stored labels recomputed from the raw events (the threading keys never changed)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import messages as M
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.schema import SCHEMA_VERSION
from tests.gui.mms_helpers import mm7, mms_event, text_part
from tests.integration.vendor import sms_event, write


def _old_case(tmp_path: Path) -> Path:
    """Today's import, then the labels as the importer wrote them before the rule (MM7
    decorations stripped from alphanumeric senders) and the format put back to 6."""
    src = tmp_path / "corpus"
    write(src / "a.json", sms_event("one", direction="mt", other="<i>BANK</i>"))
    write(
        src / "b.json",
        sms_event("two", direction="mt", other="<I>bank</I>", start="2024-09-16T19:31:00.000Z"),
    )
    write(src / "c.json", sms_event("three", direction="mt", other="12145550001"))
    message, mtype = mm7([text_part("statement ready")], sender="<ALERTS>")
    write(src / "d.json", mms_event(message, mtype, direction="mt", other="<ALERTS>"))
    path = tmp_path / "old.mcase"
    Importer(path, workers=1).run([src])
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for cid, participants in conn.execute("SELECT id, participants FROM conversations"):
            old = [p.strip()[1:-1] if p.startswith("<") else p for p in json.loads(participants)]
            conn.execute(
                "UPDATE conversations SET participants = ? WHERE id = ?", (json.dumps(old), cid)
            )
        for rowid, mms in conn.execute(
            "SELECT rowid, mms FROM messages WHERE type = 'mms'"
        ).fetchall():
            obj = json.loads(mms)
            obj["sender"] = "ALERTS"
            conn.execute(
                "UPDATE messages SET sender = 'ALERTS', mms = ? WHERE rowid = ?",
                (json.dumps(obj), rowid),
            )
        conn.execute("PRAGMA user_version = 6")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path


def _labels(path: Path) -> tuple[set[tuple[str, ...]], dict[str, str | None]]:
    with sqlite3.connect(path) as conn:
        convs = {
            tuple(json.loads(p)) for (p,) in conn.execute("SELECT participants FROM conversations")
        }
        mms = {
            sender: json.loads(obj)["sender"]
            for sender, obj in conn.execute("SELECT sender, mms FROM messages WHERE type = 'mms'")
        }
    return convs, mms


def _all_labels(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    with sqlite3.connect(path) as conn:
        convs = sorted(conn.execute("SELECT id, participants FROM conversations"))
        msgs = sorted(
            (mid, sender or "", json.dumps([json.loads(m)["sender"], json.loads(m)["recipients"]]))
            for mid, sender, m in conn.execute(
                "SELECT id, sender, mms FROM messages WHERE type = 'mms'"
            )
        )
    return convs, msgs


def test_old_case_shows_alphanumeric_senders_as_received(tmp_path: Path) -> None:
    path = _old_case(tmp_path)
    convs, mms = _labels(path)
    assert ("i>BANK</i",) in convs and mms == {"ALERTS": "ALERTS"}  # what old cases hold
    with sqlite3.connect(path) as conn:
        keys_before = sorted(conn.execute("SELECT id, participant_keys FROM conversations"))
    with Case.open(path) as case:
        assert case.schema_version() == SCHEMA_VERSION
        msgs = {m.text: m for m in M.iter_messages(case.conn)}
        keys_after = sorted(
            tuple(r) for r in case.conn.execute("SELECT id, participant_keys FROM conversations")
        )
    convs, mms = _labels(path)
    assert ("<i>BANK</i>",) in convs  # the first message's sender, as received
    assert ("+12145550001",) in convs  # numbers keep their display form
    assert ("<ALERTS>",) in convs
    assert mms == {"<ALERTS>": "<ALERTS>"}
    assert msgs["one"].participants == ("<i>BANK</i>",)
    assert msgs["two"].sender == "<I>bank</I>"  # SMS senders were always as received
    assert keys_after == keys_before  # threading unchanged
    # the labels are exactly those a new import of the same files writes
    fresh = tmp_path / "fresh.mcase"
    Importer(fresh, workers=1).run([tmp_path / "corpus"])
    assert _all_labels(path) == _all_labels(fresh)
    backups = list(tmp_path.glob("old.mcase.v6-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        assert ("i>BANK</i",) in {
            tuple(json.loads(p)) for (p,) in conn.execute("SELECT participants FROM conversations")
        }
