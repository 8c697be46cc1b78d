"""HTML and PDF report export rates and peak memory (issue goals in brackets).

    QT_QPA_PLATFORM=offscreen python benchmarks/export_reports.py [--cache DIR]
        [--demo-messages N] [--big N] [--pdf-messages N]

Two cases: the demo corpus (``--demo-messages``, generated and imported through the real
import path) and a case holding one conversation of ``--big`` messages (250,000; built by
``benchmarks/_casegen.py`` in a child process, or re-used from ``--cache DIR``). For each,
every export runs as the user runs it (``msgcopy-viewer export …`` in a child process, its
peak RSS sampled):

* baseline: the JSON Lines export of the same selection (messages/s), measured in the
  same run so the ratios mean something on a noisy machine;
* HTML: messages/s  [≥ 5,000 msg/s on the 250k conversation], largest page;
* PDF: pages/min  [≥ 500 pages/min] — on the big conversation, its first
  ``--pdf-messages`` messages (a date-range selection): the full 250,000 messages make
  about 20,000 pages, half an hour of drawing;
* peak RSS of every run  [< 300 MB, flat whatever the selection size].
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import RunResult, run_measured  # noqa: E402

GOALS = {"html_rate": 5000.0, "pdf_pages_min": 500.0, "rss": 300.0}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "msgcopy_viewer", *args]


def demo_case(folder: Path, messages: int) -> Path:
    path = folder / f"demo-{messages}.mcase"
    if path.exists():
        print(f"re-using {path}")
        return path
    from msgcopy_viewer.demo.generator import generate_demo
    from msgcopy_viewer.ingest.pipeline import Importer

    corpus = folder / f"demo-{messages}"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    print(f"generating and importing a demo corpus of {messages} messages …", flush=True)
    generate_demo(corpus, messages=messages, seed=1)
    Importer(path.with_suffix(".part"), origin="cli").run([corpus])
    path.with_suffix(".part").rename(path)
    return path


def big_case(folder: Path, big: int) -> tuple[Path, str]:
    path = folder / f"big-{big}.mcase"
    if not path.exists():
        print(f"building a case with a {big}-message conversation (child process) …", flush=True)
        tmp = path.with_name(path.name + ".part")
        for stale in folder.glob(tmp.name + "*"):
            stale.unlink()
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve().parent / "_casegen.py"),
                str(tmp),
                f"--messages={big + 2000}",
                "--conversations=20",
                "--subscribers=5",
                f"--big={big}",
                "--mms=0.02",
            ],
            check=True,
        )
        tmp.rename(path)
    else:
        print(f"re-using {path}")
    conn = sqlite3.connect(path)
    cid = conn.execute(
        "SELECT id FROM conversations ORDER BY message_count DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    return path, str(cid)


def nth_time(case: Path, cid: str, n: int) -> str:
    """The start of the conversation's ``n``-th message, as an ISO time in UTC."""
    conn = sqlite3.connect(case)
    row = conn.execute(
        "SELECT start_ms FROM messages WHERE conversation_id = ? ORDER BY start_ms, id "
        "LIMIT 1 OFFSET ?",
        (cid, n - 1),
    ).fetchone()
    conn.close()
    return datetime.fromtimestamp(row[0] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def export(case: Path, fmt: str, out: Path, *sel: str) -> tuple[RunResult, str]:
    r = run_measured(cli("export", "--case", str(case), "--format", fmt, "-o", str(out), *sel))
    if r.returncode != 0:
        raise SystemExit(f"export {fmt} failed")
    return r, ""


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def measure(
    label: str, case: Path, work: Path, sel: list[str], pdf_sel: list[str], n: int, n_pdf: int
) -> list[tuple[str, str, str, str]]:
    """Rates by wall time, and in brackets by CPU time (steadier on a shared machine)."""
    rows: list[tuple[str, str, str, str]] = []
    base, _ = export(case, "jsonl", work / f"{label}.jsonl", *sel)
    base_rate = n / base.seconds
    base_cpu = n / max(base.cpu_seconds, 1e-9)
    rows.append(
        (
            f"{label}: JSONL (baseline)",
            f"{base_rate:,.0f} msg/s (CPU {base_cpu:,.0f})",
            f"{base.peak_rss_mb:.0f} MB",
            "",
        )
    )
    html, _ = export(case, "html", work / f"{label}-html", *sel)
    pages = list((work / f"{label}-html").glob("*.html"))
    largest = max(p.stat().st_size for p in pages) / 1e6
    rate = n / html.seconds
    cpu = n / max(html.cpu_seconds, 1e-9)
    rows.append(
        (
            f"{label}: HTML ({len(pages)} pages, largest {largest:.2f} MB)",
            f"{rate:,.0f} msg/s (CPU {cpu:,.0f})",
            f"{html.peak_rss_mb:.0f} MB",
            f"{rate / base_rate:.2f}× baseline (CPU {cpu / base_cpu:.2f}×); "
            f"goal ≥ {GOALS['html_rate']:,.0f}",
        )
    )
    pdf_path = work / f"{label}.pdf"
    pdf, _ = export(case, "pdf", pdf_path, *pdf_sel)
    n_pages = pdf_pages(pdf_path)
    per_min = n_pages / pdf.seconds * 60
    per_min_cpu = n_pages / max(pdf.cpu_seconds, 1e-9) * 60
    rows.append(
        (
            f"{label}: PDF ({n_pdf} messages, {n_pages} pages)",
            f"{per_min:,.0f} pages/min (CPU {per_min_cpu:,.0f}); {n_pdf / pdf.seconds:,.0f} msg/s",
            f"{pdf.peak_rss_mb:.0f} MB",
            f"{(n_pdf / pdf.seconds) / base_rate:.3f}× baseline msg/s; "
            f"goal ≥ {GOALS['pdf_pages_min']:,.0f} pages/min",
        )
    )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="folder keeping the built cases between runs")
    ap.add_argument("--demo-messages", type=int, default=3000)
    ap.add_argument("--big", type=int, default=250_000)
    ap.add_argument("--pdf-messages", type=int, default=3000)
    args = ap.parse_args()
    temp = None
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
        folder = args.cache
    else:
        temp = tempfile.TemporaryDirectory(prefix="export-bench-")
        folder = Path(temp.name)
    work = Path(tempfile.mkdtemp(prefix="out-", dir=folder))
    try:
        rows: list[tuple[str, str, str, str]] = []
        demo = demo_case(folder, args.demo_messages)
        n_demo = sqlite3.connect(demo).execute("SELECT count(*) FROM messages").fetchone()[0]
        rows += measure("demo", demo, work, [], [], n_demo, n_demo)
        big, cid = big_case(folder, args.big)
        n_pdf = min(args.pdf_messages, args.big)
        to = nth_time(big, cid, n_pdf)
        rows += measure(
            f"{args.big:,}-message conversation",
            big,
            work,
            ["--conversation", cid],
            ["--conversation", cid, "--to", to],
            args.big,
            n_pdf,
        )
        print()
        width = max(len(r[0]) for r in rows)
        for name, rate, rss, note in rows:
            print(f"{name:<{width}}  {rate:>32}  peak RSS {rss:>7}  {note}")
        worst = max(float(re.sub(r"[^\d.]", "", r[2])) for r in rows)
        print(f"\nlargest peak RSS: {worst:.0f} MB (goal < {GOALS['rss']:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if temp is not None:
            temp.cleanup()
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - t0:.0f} s)")
    raise SystemExit(code)
