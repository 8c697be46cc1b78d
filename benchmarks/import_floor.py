"""The CPU floor of an import: every part of the work timed alone, on one thread.

    python benchmarks/import_floor.py [--files 50000] [--keep DIR]

import_throughput.py measures the import as a whole. This one answers a
different question: how fast could the import be at best on this machine, if
the work it has to do for every file were spread over all cores with no
overhead at all? Each part is timed alone, single-threaded, on the same
generated SMS corpus:

  read     open, fstat, read and close each file (what a worker does first)
  analyse  parse, check, normalise and hash the bytes (core.events, ingest.analyze)
  hand-over  pickling a worker's results and unpickling them in the importer
  store    the real BatchWriter writing the analysed files into a new case, split into
           SQLite alone: the same rows copied into another new case by INSERT … SELECT
                   (B-trees, indexes, foreign keys, the search index, commits; no Python)
           the writer's Python: the rest (duplicate look-ups, building and binding rows)

The sum is the CPU the import needs per file; divided by the cores and by cat's
time it is the best ratio import/cat any schedule of this work could reach.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import cat_seconds, sms_corpus

GOAL = 1.5
COMMIT_EVERY = 10_000  # files per transaction in the store parts (the import commits every 1-2 s)

# Tables an SMS import fills, in an order that satisfies their foreign keys.
TABLES = (
    "import_batches",
    "source_files",
    "subscribers",
    "conversations",
    "messages",
    "occurrences",
)


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def read_all(paths: list[str]) -> list[tuple[bytes, int]]:
    from msgcopy_viewer.ingest.pipeline import _read_file

    return [_read_file(p) for p in paths]


def analyse_all(datas: list[tuple[bytes, int]]) -> list[Any]:
    from msgcopy_viewer.ingest.analyze import analyze_bytes

    return [analyze_bytes(data, mtime) for data, mtime in datas]


def hand_over(results: list[Any]) -> None:
    from msgcopy_viewer.ingest.pipeline import CHUNK_FILES

    for i in range(0, len(results), CHUNK_FILES):
        pickle.loads(pickle.dumps(results[i : i + CHUNK_FILES], pickle.HIGHEST_PROTOCOL))


def store(case_path: Path, corpus: Path, items: list[Any], results: list[Any]) -> None:
    from msgcopy_viewer.ingest.pipeline import CHUNK_FILES
    from msgcopy_viewer.ingest.writer import BatchWriter
    from msgcopy_viewer.store.case import Case

    case = Case.open(case_path)
    writer = BatchWriter(case, [str(corpus)], "cli")
    for i in range(0, len(items), CHUNK_FILES):
        writer.record_files(
            [
                (it.root, it.relpath, r.mtime_ms, r)
                for it, r in zip(
                    items[i : i + CHUNK_FILES], results[i : i + CHUNK_FILES], strict=True
                )
            ]
        )
        if (i + CHUNK_FILES) % COMMIT_EVERY < CHUNK_FILES:
            writer.commit()
    writer.finish("completed")
    case.close()


def sqlite_alone(source: Path, target: Path) -> float:
    """Copy the rows of ``source`` into the new case ``target`` with INSERT … SELECT, in
    transactions of COMMIT_EVERY files like the store part; returns the seconds it took,
    not counting the copy of the rows into memory beforehand."""
    from msgcopy_viewer.store.case import Case

    case = Case.open(target)
    conn = case.conn
    conn.execute("ATTACH DATABASE ':memory:' AS staged")
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    for table in TABLES:
        conn.execute(f"CREATE TABLE staged.{table} AS SELECT * FROM src.{table}")
    conn.execute("DETACH DATABASE src")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # as during an import (own thread)
    top = conn.execute("SELECT max(id) FROM staged.source_files").fetchone()[0]
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table in ("import_batches", "subscribers", "conversations"):
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM staged.{table}")
    conn.execute("COMMIT")
    for low in range(1, top + 1, COMMIT_EVERY):
        high = low + COMMIT_EVERY
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO main.source_files SELECT * FROM staged.source_files "
            "WHERE id >= ? AND id < ?",
            (low, high),
        )
        first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM main.messages").fetchone()[0]
        conn.execute(
            "INSERT INTO main.messages(rowid, id, fingerprint, conversation_id, subscriber_id, "
            "direction, type, start_ms, start_raw, other_party, sender, content_type, text, "
            "subject, contact_names, has_attachments, warnings, warning_count, mms, raw_event, "
            "source_file_id, source_index, batch_id) SELECT rowid, id, fingerprint, "
            "conversation_id, subscriber_id, direction, type, start_ms, start_raw, other_party, "
            "sender, content_type, text, subject, contact_names, has_attachments, warnings, "
            "warning_count, mms, raw_event, source_file_id, source_index, batch_id "
            "FROM staged.messages WHERE source_file_id >= ? AND source_file_id < ?",
            (low, high),
        )
        conn.execute(
            "INSERT INTO main.occurrences SELECT * FROM staged.occurrences "
            "WHERE source_file_id >= ? AND source_file_id < ?",
            (low, high),
        )
        conn.execute(
            "INSERT INTO message_fts(rowid, text, subject, contact_names) "
            "SELECT rowid, text, coalesce(subject, ''), coalesce(contact_names, '') "
            "FROM main.messages WHERE rowid >= ?",
            (first,),
        )
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    seconds = time.perf_counter() - start
    for table in ("messages", "source_files", "occurrences"):
        want = conn.execute(f"SELECT count(*) FROM staged.{table}").fetchone()[0]
        got = conn.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]
        assert want == got, (table, want, got)
    case.close()
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, help="reuse/keep the corpus in this folder")
    args = ap.parse_args()
    if args.files < 1:
        ap.error("--files must be at least 1")
    from msgcopy_viewer.ingest import scanner
    from msgcopy_viewer.ingest.pipeline import _fewer_collections

    work = Path(tempfile.mkdtemp(prefix="msgcopy-floor-"))
    try:
        corpus = sms_corpus(args.keep, work, args.files)
        cat_s = cat_seconds(corpus)
        items = list(scanner.scan([corpus]))
        if not items or any(it.fs_path is None for it in items):
            raise SystemExit(
                f"{corpus}: not a generated SMS corpus (empty, or holds folders, zips or "
                "unreadable files); give --keep a new or generated folder"
            )
        n = len(items)
        paths = [it.fs_path for it in items]
        with _fewer_collections():  # the garbage collector's setting during an import
            read_s, datas = min((timed(read_all, paths) for _ in range(2)), key=lambda t: t[0])
            analyse_s, results = timed(analyse_all, datas)
            del datas
            bad = sum(r.error is not None for r in results)
            if bad:
                raise SystemExit(
                    f"{corpus}: {bad} of {n} files are not Message Copy documents; the floor "
                    "is measured on a generated SMS corpus"
                )
            hand_s, _ = timed(hand_over, results)
            store_s, _ = timed(store, work / "store.mcase", corpus, items, results)
            sql_s = sqlite_alone(work / "store.mcase", work / "sqlite.mcase")
        cores = os.cpu_count() or 1
        parts = [
            ("read", read_s),
            ("analyse", analyse_s),
            ("hand-over (pickle both ways)", hand_s),
            ("store: SQLite alone", sql_s),
            ("store: the writer's Python", max(0.0, store_s - sql_s)),
        ]
        total = sum(s for _, s in parts)
        budget = GOAL * cat_s * cores
        print(f"files: {n}   cores: {cores}   cat (best of 3): {cat_s:.2f} s")
        print(
            f"goal import/cat <= {GOAL}: {GOAL * cat_s:.2f} s of wall time, at most "
            f"{budget:.2f} core-seconds ({budget / n * 1e6:.0f} µs a file) on {cores} cores"
        )
        print("each part alone, one thread:")
        for name, s in parts:
            print(f"  {name:32s} {s:6.2f} s  {s / n * 1e6:6.1f} µs a file")
        print(f"  {'sum':32s} {total:6.2f} s  {total / n * 1e6:6.1f} µs a file")
        print(
            f"best possible import/cat, all {cores} cores busy with no overhead: "
            f"{total / cores / cat_s:.2f}"
        )
        print(
            "  without the writer's Python at all:     "
            f"{(total - parts[-1][1]) / cores / cat_s:.2f}"
        )
        print(
            "  with SQLite alone as the only work:     "
            f"{sql_s / cat_s:.2f}   (one writer: it cannot be spread over cores)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
