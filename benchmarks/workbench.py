"""The examiner's workbench on a case of a million messages (issue goals in brackets).

    QT_QPA_PLATFORM=offscreen python benchmarks/workbench.py [--cache DIR] [--messages N]
    QT_QPA_PLATFORM=offscreen python benchmarks/workbench.py --gallery-only

Builds the same case as ``gui_scale.py`` (``_casegen.py``: 1,000,000 messages, 20,000
conversations, 50 subscribers, one conversation of 100,000 messages, a year) or re-uses
the one in ``--cache DIR`` (a cached case of an older format is upgraded once, outside the
timings). Then it measures, each the best of a few runs after one warm-up:

* timeline SQL: ``message_counts`` of the whole case per day / week / month, of the
  busiest subscriber and of the 100,000-message conversation; baseline: a plain
  pass over every entry of the same index (``count(*) … WHERE start_ms >= 0``: the least
  any count of every message can cost)
* timeline drawn: ``TimelinePanel.set_connection`` (the query, filling the gaps, building
  the QtCharts series and axes) → ``repaint()`` of the chart returned  [≤ 500 ms]
* tagging 10,000 messages: ``AnnotationController.add_tag`` (one transaction, one audit row
  per message, one undo step), then its undo  [≤ 1 s each]; baseline: ``executemany`` of
  10,000 rows into an empty table in one transaction
* the contact graph and the gallery's first page
* the gallery scrolled (``--gallery-only`` runs just this part; it builds its own case of
  10,000 MMS, each with a different small PNG, so every thumbnail is a separate decode):
  ``GalleryPanel`` at 1200×360 with all 10,000 rows loaded, scrolled a page at a time
  (60 steps from the top, 20 from the middle, and the end); each step is the scroll bar's
  move and a synchronous ``repaint()`` of the viewport, timed, then the step waits (untimed)
  for the decodes it queued. Every call of the image decoder is counted. Baseline, in the
  same run: the same steps again with every thumbnail already decoded (the cost of painting
  the grid alone). [goal: no image decoded that was never on screen]

The tags, audit rows and undo are rolled back between runs, so the cached case stays as it
was (apart from the upgrade).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def best_of(n: int, fn: Callable[[], object]) -> float:
    fn()  # warm-up: the pages the query reads are then in the OS cache, as after opening
    return min(timed(fn) for _ in range(n))


def ensure_case(args: argparse.Namespace, folder: Path) -> Path:
    from gui_scale import ensure_case as build

    return build(args, folder)


def run(case_path: Path) -> list[tuple[str, str, str, str, str]]:
    from PySide6.QtWidgets import QApplication

    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.store.gallery import media_page
    from msgcopy_viewer.store.timeline import contact_graph, message_counts
    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.annotate_actions import AnnotationController
    from msgcopy_viewer.ui.widgets.timeline_view import TimelinePanel

    app = QApplication.instance() or QApplication([])
    rows: list[tuple[str, str, str, str, str]] = []

    def row(name: str, goal: float | None, value: float, base: float | None) -> None:
        ratio = f"{value / base:.1f}×" if base else "—"
        verdict = "—" if goal is None else ("ok" if value <= goal else "MISS")
        goal_text = f"≤ {goal:.0f} ms" if goal is not None else ""
        rows.append((name, goal_text, f"{value:.0f} ms", ratio, verdict))
        print(f"{name}: {value:.1f} ms ({ratio} of the baseline) {verdict}", flush=True)

    case = Case.open(case_path)
    conn = case.conn
    total = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    print(f"{total} messages")
    base_count = best_of(
        3,
        lambda: conn.execute(
            "SELECT count(*) FROM messages INDEXED BY messages_timeline WHERE start_ms >= 0"
        ).fetchone(),
    )
    rows.append(
        ("baseline: one pass over the timeline index", "", f"{base_count:.0f} ms", "1.0×", "—")
    )
    for bucket in ("day", "week", "month"):
        ms = best_of(3, lambda bucket=bucket: message_counts(conn, bucket=bucket))
        row(f"timeline SQL, whole case, per {bucket}", None, ms, base_count)
    sub_id = conn.execute(
        "SELECT id FROM subscribers ORDER BY message_count DESC LIMIT 1"
    ).fetchone()[0]
    row(
        "timeline SQL, busiest subscriber, per day",
        None,
        best_of(3, lambda: message_counts(conn, subscriber_id=sub_id)),
        base_count,
    )
    big = conn.execute(
        "SELECT id FROM conversations ORDER BY message_count DESC LIMIT 1"
    ).fetchone()[0]
    row(
        "timeline SQL, 100k-message conversation, per day",
        None,
        best_of(3, lambda: message_counts(conn, conversation_id=big)),
        base_count,
    )

    tz = TimeZoneSettings("UTC")
    panel = TimelinePanel(tz)
    panel.resize(1200, 360)
    panel.show()
    app.processEvents()

    def draw() -> None:
        panel.set_connection(conn)
        panel.chart.repaint()

    row("timeline drawn (query + QtCharts + paint), per day", 500.0, best_of(3, draw), base_count)
    panel.bucket.setCurrentIndex(1)
    row("timeline drawn, per week", 500.0, best_of(3, draw), base_count)
    panel.close()

    row(
        "contact graph (SQL, 60 busiest pairs)", None, best_of(3, lambda: contact_graph(conn)), None
    )
    row("gallery first page (200 items)", None, best_of(3, lambda: media_page(conn)), None)

    # tagging 10,000 selected messages: one action, one transaction, one undo step
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM messages ORDER BY start_ms LIMIT 10000 OFFSET 500000"
        )
    ]

    def baseline_insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS t(a INTEGER, b INTEGER, c INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", ((r, 1, 0) for r in ids))
        conn.execute("ROLLBACK")

    base_insert = best_of(3, baseline_insert)
    rows.append(("baseline: executemany 10,000 rows", "", f"{base_insert:.0f} ms", "1.0×", "—"))
    ctl = AnnotationController()
    ctl.set_case(case)
    ctl.examiner = lambda: "benchmark"
    audit_before = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    tag_ms, undo_ms = [], []
    for _ in range(3):
        tag_ms.append(timed(lambda: ctl.add_tag(ids, "Relevant")))
        assert ctl.undo_stack.count() >= 1
        undo_ms.append(timed(ctl.undo_stack.undo))
    steps = ctl.undo_stack.count()
    tagged = conn.execute("SELECT count(*) FROM message_tags").fetchone()[0]
    # leave the cached case as it was (autocommit connection: the delete is committed)
    conn.execute("DELETE FROM audit_log WHERE id > ?", (audit_before,))
    row("tag 10,000 selected messages (one transaction + audit)", 1000.0, min(tag_ms), base_insert)
    row("undo that (one step)", 1000.0, min(undo_ms), base_insert)
    print(f"undo stack after 3 tag + undo rounds: {steps} step(s) (redoable); tags left: {tagged}")
    case.close()
    return rows


def run_gallery(folder: Path, count: int = 10_000) -> list[tuple[str, str, str, str, str]]:
    """Scroll the gallery of ``count`` distinct images; count decoder calls and time steps."""
    import hashlib
    import statistics
    import threading

    from PySide6.QtWidgets import QApplication

    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.ui import thumbnails as thumbnails_module
    from msgcopy_viewer.ui.thumbnails import ThumbnailCache
    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.gallery_view import GalleryPanel
    from tests.gui.gallery_case import build_gallery_case

    app = QApplication.instance() or QApplication([])
    t0 = time.perf_counter()
    path = build_gallery_case(folder, count)
    print(f"gallery case of {count} images built in {time.perf_counter() - t0:.1f} s")
    real = thumbnails_module.decode
    lock = threading.Lock()
    decoded: list[str] = []

    def counting(data: bytes, *a: object, **k: object) -> object:
        with lock:
            decoded.append(hashlib.sha256(data).hexdigest())
        return real(data, *a, **k)

    thumbnails_module.decode = counting  # type: ignore[assignment]
    case = Case.open(path, create=False, readonly=True)
    thumbs = ThumbnailCache()
    thumbs.set_case_path(case.path)
    panel = GalleryPanel(TimeZoneSettings("UTC"), thumbs)
    panel.resize(1200, 360)
    panel.show()
    panel.set_connection(case.conn, case)
    model, view = panel.model, panel.view
    while model.canFetchMore():
        model.fetchMore()
    view.doItemsLayout()
    app.processEvents()
    bar = view.verticalScrollBar()
    page = bar.pageStep()
    steps = [n * page for n in range(61)]
    steps += [bar.maximum() // 2 + n * page for n in range(20)] + [bar.maximum()]
    rect = view.viewport().rect()

    def on_screen() -> set[str]:
        first = max(0, view.indexAt(rect.topLeft()).row())
        return {
            model.item(r).part.sha256
            for r in range(max(0, first - 20), min(model.rowCount(), first + 200))
            if view.visualRect(model.index(r, 0)).intersects(rect)
        }

    def settle(shown: set[str]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            app.processEvents()
            if all(thumbs.peek(s) is not None or thumbs.is_failed(s) for s in shown):
                return
            time.sleep(0.002)
        raise RuntimeError("thumbnails did not arrive within 30 s")

    def scroll(wait: bool) -> tuple[list[float], set[str]]:
        times: list[float] = []
        seen: set[str] = set()
        for value in steps:
            t = time.perf_counter()
            bar.setValue(value)
            view.viewport().repaint()
            times.append((time.perf_counter() - t) * 1000)
            shown = on_screen()
            seen |= shown
            if wait:
                settle(shown)
        return times, seen

    cold, seen = scroll(wait=True)  # thumbnails decoded as they come on screen
    after_cold = len(decoded)
    warm, _ = scroll(wait=False)  # baseline: the same steps, every thumbnail decoded
    thumbnails_module.decode = real  # type: ignore[assignment]
    off_screen = set(decoded) - seen - {model.item(0).part.sha256}
    thumbs.shutdown()
    panel.close()
    case.close()

    def p95(xs: list[float]) -> float:
        return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]

    base_med, base_p95 = statistics.median(warm), p95(warm)
    rows: list[tuple[str, str, str, str, str]] = [
        ("baseline: scroll step, every thumbnail cached (median)", "", f"{base_med:.1f} ms",
         "1.0×", "—"),
        ("baseline: scroll step, every thumbnail cached (95th pct)", "", f"{base_p95:.1f} ms",
         "1.0×", "—"),
        ("gallery scroll step, cold (median)", "", f"{statistics.median(cold):.1f} ms",
         f"{statistics.median(cold) / base_med:.1f}×", "—"),
        ("gallery scroll step, cold (95th pct)", "", f"{p95(cold):.1f} ms",
         f"{p95(cold) / base_p95:.1f}×", "—"),
        (f"decoder calls, {len(steps)} steps over {count} images", "= images shown",
         f"{after_cold} for {len(seen)} shown", "—",
         "ok" if not off_screen and after_cold == len(set(decoded)) else "MISS"),
        ("decoder calls, the same steps again", "0", f"{len(decoded) - after_cold}",
         "—", "ok" if len(decoded) == after_cold else "MISS"),
    ]  # fmt: skip
    for r in rows:
        print(f"{r[0]}: {r[2]} ({r[3]}) {r[4]}", flush=True)
    print(f"images decoded that were never on screen: {len(off_screen)}")
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    head = ("measure", "goal", "time", "vs baseline", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    print()
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, help="folder keeping the built case between runs")
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gallery-only", action="store_true", help="only the gallery scroll")
    ap.add_argument("--gallery-images", type=int, default=10_000)
    args = ap.parse_args()
    if args.gallery_only:
        with tempfile.TemporaryDirectory(prefix="gallery-") as tmp:
            rows = run_gallery(Path(tmp), args.gallery_images)
        print_table(rows)
        missed = [r[0] for r in rows if r[4] == "MISS"]
        print("\nall goals met" if not missed else "\nmissed: " + "; ".join(missed))
        return 0
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
        folder, temp = args.cache, None
    else:
        temp = Path(tempfile.mkdtemp(prefix="workbench-"))
        folder = temp
    try:
        path = ensure_case(args, folder)
        rows = run(path)
        gallery = folder / "gallery-scroll"
        shutil.rmtree(gallery, ignore_errors=True)
        gallery.mkdir()
        rows += run_gallery(gallery, args.gallery_images)
        shutil.rmtree(gallery, ignore_errors=True)
        print_table(rows)
        missed = [r[0] for r in rows if r[4] == "MISS"]
        print("\nall goals met" if not missed else "\nmissed: " + "; ".join(missed))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
