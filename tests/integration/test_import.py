"""The import pipeline: ledger, duplicates, zips, junk, progress, cancel, consistency."""

from __future__ import annotations

import gc
import io
import os
import sqlite3
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer.ingest.pipeline import GC_THRESHOLD, CancelToken, Importer, ImportProgress
from msgcopy_viewer.store.case import Case
from tests.integration.vendor import document, sms_event, write


def ledger(case_path: Path, batch: int | None = None) -> dict[str, tuple[str, str | None]]:
    with Case.open(case_path, create=False) as case:
        if batch is None:
            batch = case.conn.execute("SELECT max(id) FROM import_batches").fetchone()[0]
        rows = case.conn.execute(
            "SELECT path, outcome, reason FROM source_files WHERE batch_id = ?", (batch,)
        ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def assert_consistent(case_path: Path) -> int:
    """Invariants that must hold after any import, finished or killed."""
    with Case.open(case_path, create=False) as case:
        q = case.conn.execute
        messages = q("SELECT count(*) FROM messages").fetchone()[0]
        assert q("SELECT count(DISTINCT id) FROM messages").fetchone()[0] == messages
        assert (
            q("SELECT coalesce(sum(new_messages), 0) FROM source_files").fetchone()[0] == messages
        )
        assert (
            q("SELECT coalesce(sum(message_count), 0) FROM conversations").fetchone()[0] == messages
        )
        assert (
            q("SELECT coalesce(sum(message_count), 0) FROM subscribers").fetchone()[0] == messages
        )
        assert q("SELECT count(*) FROM message_fts").fetchone()[0] == messages
        assert q("PRAGMA foreign_key_check").fetchall() == []
        assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(messages)


def test_folder_ledger_every_file_accounted(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    write(src / "uk" / "a.json", sms_event("one"))
    write(src / "b", sms_event("two", start="2024-09-16T20:00:00.000+0000"))  # no extension
    (src / "c.json").write_bytes(b"\xef\xbb\xbf" + document(sms_event("three \u00e9")))
    (src / "d.json").write_text("{not json")
    (src / "e.json").write_text('{"hello": "world"}')
    write(src / "f.json", sms_event("ok"), {"direction": "mo"})
    (src / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (src / "__MACOSX").mkdir()
    (src / "__MACOSX" / "._a.json").write_bytes(b"\0\5\26\7")
    (src / "Thumbs.db").write_bytes(b"x")
    case_path = tmp_path / "x.mcase"

    report = Importer(case_path, workers=1).run([src])

    entries = ledger(case_path)
    assert set(entries) == {
        "uk/a.json",
        "b",
        "c.json",
        "d.json",
        "e.json",
        "f.json",
        ".DS_Store",
        "__MACOSX/._a.json",
        "Thumbs.db",
    }
    assert entries["uk/a.json"][0] == "imported"
    assert entries["b"][0] == "imported"
    assert entries["c.json"][0] == "imported"
    assert entries["d.json"] == (
        "rejected",
        "not JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
    )
    assert entries["e.json"] == ("rejected", "not a Message Copy document (no smsEvent list)")
    assert entries["f.json"][0] == "rejected"
    assert "event 1" in (entries["f.json"][1] or "") and "startTime" in (entries["f.json"][1] or "")
    for junk in (".DS_Store", "__MACOSX/._a.json", "Thumbs.db"):
        assert entries[junk][0] == "skipped"
    assert report.files_seen == 9
    assert report.files_imported == 3 and report.messages_imported == 3
    assert {e.path for e in report.rejected} == {"d.json", "e.json", "f.json"}
    assert len(report.skipped) == 3
    assert assert_consistent(case_path) == 3


def test_source_paths_relative_to_what_was_named(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    write(src / "uk" / "a.json", sms_event("in folder"))
    single = write(tmp_path / "elsewhere" / "single.json", sms_event("named", other="72345"))
    zpath = tmp_path / "archive.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("inner/m.json", document(sms_event("zipped", other="AMAZON")))
        zf.writestr("__MACOSX/inner/._m.json", b"junk")
        zf.writestr("note.txt", b"not a document")
    case_path = tmp_path / "x.mcase"
    Importer(case_path, workers=1).run([src, single, zpath])
    with Case.open(case_path) as case:
        rows = dict(case.conn.execute("SELECT path, root FROM source_files").fetchall())
    assert rows["uk/a.json"] == str(src)
    assert rows["single.json"] == str(single.parent)
    assert rows["archive.zip/inner/m.json"] == str(tmp_path)
    assert "archive.zip/__MACOSX/inner/._m.json" in rows
    assert ledger(case_path)["archive.zip/note.txt"][0] == "rejected"


def test_nested_zip_and_bad_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.json", document(sms_event("deep")))
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("inner.zip", inner.getvalue())
    (tmp_path / "broken.zip").write_bytes(b"PK\3\4 this is not really a zip")
    case_path = tmp_path / "x.mcase"
    report = Importer(case_path, workers=1).run([outer, tmp_path / "broken.zip"])
    entries = ledger(case_path)
    assert entries["outer.zip/inner.zip/deep.json"][0] == "imported"
    assert entries["broken.zip"][0] == "rejected"
    assert "zip" in (entries["broken.zip"][1] or "")
    assert report.messages_imported == 1


def test_duplicates_same_bytes_and_retried_event(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    a = write(src / "a.json", sms_event("retry me"))
    (src / "copy.json").write_bytes(a.read_bytes())
    # The platform retried the same event; a different writer formatted the file differently.
    (src / "z-retry.json").write_text(
        '{"smsEvent":[' + document(sms_event("retry me")).decode()[len('{\n   "smsEvent" : [') :]
    )
    write(src / "mixed.json", sms_event("retry me"), sms_event("new one", direction="mt"))
    case_path = tmp_path / "x.mcase"
    report = Importer(case_path, workers=1).run([src])
    entries = ledger(case_path)
    assert entries["a.json"] == ("imported", None)
    assert entries["copy.json"][0] == "duplicate"
    assert "same bytes as a.json" in (entries["copy.json"][1] or "")
    assert entries["z-retry.json"][0] == "duplicate"
    assert "already in the case (first seen in a.json)" in (entries["z-retry.json"][1] or "")
    assert entries["mixed.json"] == ("imported", "1 of 2 events were already in the case")
    assert report.messages_imported == 2 and report.duplicates == 2
    with Case.open(case_path) as case:
        seen = case.conn.execute(
            "SELECT count(*) FROM occurrences o JOIN messages m ON m.rowid = o.message_rowid "
            "WHERE m.text = 'retry me'"
        ).fetchone()[0]
    assert seen == 4  # a.json, copy.json, z-retry.json and mixed.json
    assert assert_consistent(case_path) == 2


def test_reimport_adds_nothing(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    for i in range(5):
        write(src / f"{i}.json", sms_event(f"m{i}", start=f"2024-09-16T19:3{i}:00.000Z"))
    case_path = tmp_path / "x.mcase"
    first = Importer(case_path, workers=1).run([src])
    second = Importer(case_path, workers=1).run([src])
    assert first.messages_imported == 5
    assert second.messages_imported == 0 and second.duplicates == 5
    assert all(o == "duplicate" for o, _ in ledger(case_path).values())
    assert assert_consistent(case_path) == 5


def test_sources_are_not_modified(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    f = write(src / "a.json", sms_event("evidence"))
    os.chmod(f, stat.S_IRUSR)  # read-only evidence still imports
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    Importer(tmp_path / "x.mcase", workers=1).run([src])
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


def _many(src: Path, n: int, *, first: int = 0, prefix: str = "") -> None:
    """Files ``prefix0000.json`` … each with one SMS; event i is the same in every call."""
    for i in range(first, first + n):
        write(
            src / f"{prefix}{i:04d}.json",
            sms_event(
                f"message {i}",
                start=f"2024-09-16T19:{i % 60:02d}:{i % 59:02d}.000Z",
                other=f"21455550{i % 10:02d}",
            ),
        )


def test_progress_and_parallel_workers(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    n = 150
    _many(src, n)
    seen: list[ImportProgress] = []
    thresholds: list[tuple[int, int, int]] = []

    def progress(p: ImportProgress) -> None:
        seen.append(p)
        thresholds.append(gc.get_threshold())

    before = gc.get_threshold()
    report = Importer(tmp_path / "x.mcase", workers=2, progress=progress).run([src])
    assert report.messages_imported == n
    # the collector runs less often during the import, as before afterwards
    assert gc.get_threshold() == before
    assert all(t[0] >= GC_THRESHOLD for t in thresholds) or not gc.isenabled()
    assert seen and seen[-1].files_done == n and seen[-1].files_total == n
    assert seen[-1].bytes_done == sum(p.stat().st_size for p in src.iterdir())
    assert [p.files_done for p in seen] == sorted(p.files_done for p in seen)
    assert assert_consistent(tmp_path / "x.mcase") == n


def test_cancel_leaves_consistent_case_and_resume_completes(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    n = 400
    for i in range(n):
        write(
            src / f"{i:04d}.json",
            sms_event(f"message {i}", start=f"2024-09-{1 + i % 28:02d}T10:00:00.000Z"),
        )
    token = CancelToken()

    def progress(p: ImportProgress) -> None:
        if p.files_done >= 100:
            token.cancel()

    case_path = tmp_path / "x.mcase"
    report = Importer(case_path, workers=1, progress=progress, cancel=token).run([src])
    assert report.status == "cancelled"
    assert 100 <= report.files_seen < n
    partial = assert_consistent(case_path)
    assert partial == report.messages_imported
    with Case.open(case_path) as case:
        assert case.conn.execute("SELECT status FROM import_batches").fetchone()[0] == "cancelled"
    Importer(case_path, workers=1).run([src])
    assert assert_consistent(case_path) == n


def test_missing_path_is_rejected_not_fatal(tmp_path: Path) -> None:
    write(tmp_path / "ok.json", sms_event())
    report = Importer(tmp_path / "x.mcase", workers=1).run(
        [tmp_path / "ok.json", tmp_path / "nope"]
    )
    assert report.messages_imported == 1
    assert [(e.path, e.reason) for e in report.rejected] == [("nope", "no such file or folder")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_rejected(tmp_path: Path) -> None:
    f = write(tmp_path / "c" / "locked.json", sms_event())
    os.chmod(f, 0)
    report = Importer(tmp_path / "x.mcase", workers=1).run([tmp_path / "c"])
    assert report.rejected[0].reason is not None
    assert "Permission denied" in report.rejected[0].reason


def test_commits_overlap_with_receiving_and_keep_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a commit after every chunk, results received during commits are recorded in
    order and nothing is lost or doubled."""
    from msgcopy_viewer.ingest import pipeline

    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MIN", 0.0)
    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MAX", 0.0)
    monkeypatch.setattr(pipeline, "PREFETCH_CHUNKS", 3)
    src = tmp_path / "corpus"
    _many(src, 700)
    committed: list[set[str]] = []
    report = Importer(tmp_path / "x.mcase", workers=2, on_commit=committed.append).run([src])
    assert report.messages_imported == 700 and not report.rejected
    assert len(committed) >= 5
    assert assert_consistent(tmp_path / "x.mcase") == 700
    with Case.open(tmp_path / "x.mcase") as case:
        paths = [r[0] for r in case.conn.execute("SELECT path FROM source_files ORDER BY id")]
    assert paths == sorted(paths)  # the ledger is in scan order


def test_a_failing_commit_stops_the_import_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.ingest import pipeline
    from msgcopy_viewer.ingest.writer import BatchWriter

    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MIN", 0.0)
    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MAX", 0.0)
    calls = {"n": 0}
    real_commit = BatchWriter.commit

    def commit(self: BatchWriter) -> None:  # runs on the commit thread
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.OperationalError("database or disk is full")
        real_commit(self)

    monkeypatch.setattr(BatchWriter, "commit", commit)
    src = tmp_path / "corpus"
    _many(src, 400)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        Importer(tmp_path / "x.mcase", workers=2).run([src])
    partial = assert_consistent(tmp_path / "x.mcase")
    assert 0 < partial < 400
    with Case.open(tmp_path / "x.mcase") as case:
        status = case.conn.execute("SELECT status FROM import_batches").fetchone()[0]
    assert status == "failed"


def test_the_case_file_alone_holds_everything_after_an_import(tmp_path: Path) -> None:
    """Checkpoints ran beside the import and at its end: once the importer has closed the
    case, a copy of the .mcase file alone (no -wal beside it) has every message."""
    import shutil

    src = tmp_path / "corpus"
    _many(src, 300)
    case_path = tmp_path / "x.mcase"
    Importer(case_path, workers=2).run([src])
    wal = case_path.with_name(case_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copy" / "x.mcase"
    copy.parent.mkdir()
    shutil.copyfile(case_path, copy)
    con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT count(*) FROM messages").fetchone()[0] == 300
        assert con.execute("SELECT count(*) FROM message_fts").fetchone()[0] == 300
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


_DYING_WORKER = """
import os, sys
from pathlib import Path
from msgcopy_viewer.ingest import pipeline, workers
assert workers._context().get_start_method() == "fork"  # a fresh, single-threaded process
parent = os.getpid()
real = pipeline._analyze_chunk

def dying(jobs):
    if os.getpid() != parent and any(p and p.endswith("0150.json") for p, _ in jobs):
        os._exit(1)  # as if killed while parsing this chunk
    return real(jobs)

pipeline._analyze_chunk = dying
report = pipeline.Importer(Path(sys.argv[2]), workers=2).run([Path(sys.argv[1])])
print(report.messages_imported, len(report.rejected))
"""


def test_a_worker_that_dies_mid_import_costs_nothing(tmp_path: Path) -> None:
    """A worker process killed while parsing (out of memory, say): its files are parsed
    in the importing process and the import completes with every file. Run in a fresh
    process, whose workers are forked and so carry the patched parser."""
    import subprocess
    import sys

    src = tmp_path / "corpus"
    _many(src, 400)
    case = tmp_path / "x.mcase"
    proc = subprocess.run(
        [sys.executable, "-c", _DYING_WORKER, str(src), str(case)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["400", "0"]
    assert "died" in proc.stderr  # the importer said what happened
    assert assert_consistent(case) == 400


def test_two_imports_into_one_case_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two batches writing to one case at once (a receiver and a GUI import, say) take
    turns with the write lock and see each other's events: the same events arriving
    through both are stored once."""
    import threading

    from msgcopy_viewer.ingest import pipeline

    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MIN", 0.0)
    monkeypatch.setattr(pipeline, "COMMIT_SECONDS_MAX", 0.0)
    a, b = tmp_path / "a", tmp_path / "b"
    _many(a, 300)
    _many(b, 300, first=150, prefix="b")  # events 150-299 are also in a
    case = tmp_path / "x.mcase"
    Case.open(case).close()
    reports: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str, src: Path) -> None:
        try:
            reports[name] = Importer(case, workers=1).run([src])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert reports["a"].messages_imported + reports["b"].messages_imported == 450
    assert assert_consistent(case) == 450
    with Case.open(case) as c:
        occ = c.conn.execute("SELECT count(*) FROM occurrences").fetchone()[0]
        batches = c.conn.execute("SELECT count(DISTINCT batch_id) FROM messages").fetchone()[0]
    assert occ == 600 and batches == 2
