"""store.ledger: batches, rows filtered and paged, counts by outcome, a failed batch's reason."""

from __future__ import annotations

from pathlib import Path

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import ledger
from msgcopy_viewer.store.connection import open_reader, open_writer
from tests.integration.vendor import document, sms_event, write


def _case(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    for n in range(5):
        write(
            src / f"m{n}.json", sms_event(f"message {n}", start=f"2024-09-16T19:30:0{n}.000+0000")
        )
    write(src / "again.json", sms_event("message 0", start="2024-09-16T19:30:00.000+0000"))
    (src / "bad.json").write_text("nope")
    (src / "notes.txt").write_text("not an event")
    (src / ".DS_Store").write_bytes(b"x")
    case = tmp_path / "c.mcase"
    Importer(case, workers=1).run([src])
    second = tmp_path / "second"
    (second / "x.json").parent.mkdir(parents=True)
    (second / "x.json").write_bytes(
        document(sms_event("later", start="2024-09-17T00:00:00.000+0000"))
    )
    Importer(case, workers=1).run([second])
    return case


def test_batches_rows_and_counts(tmp_path: Path) -> None:
    case = _case(tmp_path)
    conn = open_reader(case)
    try:
        found = ledger.batches(conn)
        assert [b.id for b in found] == [2, 1]  # the latest first
        assert ledger.latest_batch_id(conn) == 2
        first = ledger.batch(conn, 1)
        assert first is not None and first == found[1]
        assert first.status == "completed" and first.reason is None
        assert first.roots == [str((tmp_path / "in").resolve())]
        assert ledger.batch(conn, 9) is None

        every = ledger.rows(conn, 1)
        assert len(every) == first.files_seen == 9
        assert [r.id for r in every] == sorted(r.id for r in every)
        counts = ledger.outcome_counts(conn, 1)
        assert counts == {"imported": 5, "duplicate": 1, "rejected": 2, "skipped": 1}
        assert sum(counts.values()) == len(every)
        assert ledger.new_message_count(conn, 1) == 5
        assert ledger.outcome_counts(conn, 2) == {
            "imported": 1,
            "duplicate": 0,
            "rejected": 0,
            "skipped": 0,
        }

        # pages of 4 by keyset give every row once, in order
        paged: list[ledger.LedgerRow] = []
        while True:
            page = ledger.rows(conn, 1, after=paged[-1].id if paged else 0, limit=4)
            paged += page
            if len(page) < 4:
                break
        assert paged == every

        rejected = ledger.rows(conn, 1, outcome="rejected")
        assert sorted(r.path for r in rejected) == ["bad.json", "notes.txt"]
        assert all(r.reason for r in rejected)
        assert ledger.rows(conn, 1, outcome="rejected", limit=1) == rejected[:1]
        skipped = ledger.rows(conn, 1, outcome="skipped")
        assert [r.path for r in skipped] == [".DS_Store"] and skipped[0].sha256 is None
    finally:
        conn.close()


def test_a_failed_batch_says_why(tmp_path: Path) -> None:
    case = _case(tmp_path)
    conn = open_writer(case)
    try:
        conn.execute(
            "UPDATE import_batches SET status = 'failed', reason = ? WHERE id = 2",
            ("The disk holding the case is full.",),
        )
    finally:
        conn.close()
    conn = open_reader(case)
    try:
        failed = ledger.batch(conn, 2)
        assert failed is not None and failed.status == "failed"
        assert failed.reason == "The disk holding the case is full."
    finally:
        conn.close()
