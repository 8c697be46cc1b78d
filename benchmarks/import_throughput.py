"""Import throughput against `cat` of the same files (issue goal: ratio <= 1.5).

    python benchmarks/import_throughput.py [--files 50000] [--keep DIR]

Generates an SMS corpus in the vendor layout, reads it once with
`find DIR -type f -exec cat {} + >/dev/null` (the baseline, measured in the same
run and after the same cache warm-up), then imports it with the CLI into a new
case, and prints the ratio import/cat and the import's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import cat_seconds, run_measured, sms_corpus

from msgcopy_viewer.ingest.pipeline import default_workers


def naive_import(corpus: Path, db: Path) -> float:
    """The simplest single-threaded import, for context: read, json.loads, one table."""
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE m(path, direction, start, mobile, other, message, type)")
    rows = []
    for dirpath, _dirs, files in os.walk(corpus):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                doc = json.loads(fh.read())
            for e in doc["smsEvent"]:
                rows.append(
                    (
                        path,
                        e["direction"],
                        e["startTime"],
                        e["subscriberParty"]["mobile"],
                        e["otherParty"]["number"],
                        e["message"],
                        e["messageType"],
                    )
                )
    con.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    return time.perf_counter() - start


def analysis_only(corpus: Path, workers: int) -> tuple[float, list[Any], list[Any]]:
    """Lower bound one: the import's reading and parsing on the worker pool, no database."""
    from msgcopy_viewer.ingest import scanner
    from msgcopy_viewer.ingest.pipeline import CHUNK_FILES, _analyze_chunk, _job
    from msgcopy_viewer.ingest.scanner import MAX_FILE_BYTES
    from msgcopy_viewer.ingest.workers import WorkerPool

    start = time.perf_counter()
    items = list(scanner.scan([corpus]))
    results: list[Any] = []
    with WorkerPool(workers, _analyze_chunk) as pool:
        submitted = 0
        while len(results) < len(items):
            while submitted < len(items) and len(pool) < pool.capacity:
                pool.submit(
                    [_job(i, MAX_FILE_BYTES) for i in items[submitted : submitted + CHUNK_FILES]]
                )
                submitted += CHUNK_FILES
            results.extend(pool.result())
    return time.perf_counter() - start, items, results


def storage_only(case_path: Path, corpus: Path, items: list[Any], results: list[Any]) -> float:
    """Lower bound two: writing the already analysed files into a new case, one thread."""
    from msgcopy_viewer.ingest.writer import BatchWriter
    from msgcopy_viewer.store.case import Case

    start = time.perf_counter()
    case = Case.open(case_path)
    writer = BatchWriter(case, [str(corpus)], "cli")
    step = 10_000
    for i in range(0, len(items), step):
        writer.record_files(
            [
                (it.root, it.relpath, r.mtime_ms, r)
                for it, r in zip(items[i : i + step], results[i : i + step], strict=True)
            ]
        )
        writer.commit()
    writer.finish("completed")
    case.close()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", type=Path, help="reuse/keep the corpus in this folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="msgcopy-bench-"))
    try:
        corpus = sms_corpus(args.keep, work, args.files)
        cat_s = cat_seconds(corpus)
        cmd = [
            sys.executable,
            "-m",
            "msgcopy_viewer",
            "import",
            str(corpus),
            "--case",
            str(work / "bench.mcase"),
            "--json",
        ]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        res = run_measured(cmd)
        summary = json.loads(res.stdout)
        assert summary["messages_imported"] == args.files, summary
        size_mb = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        naive_s = naive_import(corpus, work / "naive.db")
        print(f"files:                 {args.files} ({size_mb:.1f} MB)")
        print(f"cat (best of 3):       {cat_s:.2f} s")
        print(
            f"import:                {res.seconds:.2f} s "
            f"({args.files / res.seconds:,.0f} files/s, {size_mb / res.seconds:.1f} MB/s)"
        )
        print(f"ratio import/cat:      {res.seconds / cat_s:.2f}   (goal <= 1.5)")
        print(
            f"import CPU time (user + system, all processes): {res.cpu_seconds:.2f} s, "
            f"{res.cpu_seconds / args.files * 1e6:.0f} µs a file (steadier than wall time)"
        )
        print(
            f"naive import (context): {naive_s:.2f} s, ratio naive/cat {naive_s / cat_s:.2f} "
            "(read + json.loads + one plain table, single thread)"
        )
        print(f"peak RSS (largest process): {res.peak_rss_mb:.0f} MB   (goal < 300 MB)")
        print(f"peak RSS (whole tree):      {res.peak_tree_rss_mb:.0f} MB")
        workers = args.workers or default_workers()
        a_s, items, results = analysis_only(corpus, workers)
        w_s = storage_only(work / "storage.mcase", corpus, items, results)
        print("where the time goes (each part alone, same files):")
        print(
            f"  analysis only ({workers} workers, no database): {a_s:.2f} s, "
            f"ratio {a_s / cat_s:.2f}"
        )
        print(
            f"  storage only (analysed files into a new case): {w_s:.2f} s, ratio {w_s / cat_s:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
