"""The browsing GUI on a case of a million messages (issue goals in brackets).

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_scale.py [--cache DIR] [--messages N]
        [--scroll-budget S] [--step-interval MS] [--interval-budget S]

Builds (``benchmarks/_casegen.py``, in a child process so its memory is not counted) a
case of 1,000,000 messages — 95 % SMS, 5 % MMS with 1–2 small images, 20,000
conversations over 50 subscribers, one conversation of 100,000 messages, times over a
year — or re-uses the one in ``--cache DIR``. Then, in this one process, with the real
``Browser`` widget (1600×1000, offscreen) it measures:

* open: ``Browser.set_case(path)`` → conversation list painted  [≤ 1 s]
* thread: selecting the 100,000-message conversation in the list → its first bubbles
  painted  [≤ 200 ms]
* scroll: the thread from its newest message up to its oldest, then (after a jump to the
  oldest) down to the newest again, a fixed step per move (``--step`` px, default one
  viewport height: Page Up / Page Down); per step: ``verticalScrollBar().setValue`` →
  pending events processed (page loads, delayed layout) → viewport repainted. Walked
  twice:

  - back to back (``--scroll-budget`` s per direction): each step starts when the last
    one ended, so the event loop never idles;
  - paced, one step every ``--step-interval`` ms (default 33: a key held down repeats at
    about 30 Hz, and a wheel leaves time between notches) for ``--interval-budget`` s per
    direction: the event loop runs freely between steps and only the step is timed
    [p99 ≤ 16 ms].

  The goal is on the paced walk because that is how a person scrolls: the view reads the
  next page and lays its bubbles out while the user reads (``BubbleListView.read_ahead``,
  a couple of milliseconds per turn of the event loop), and back to back there is no
  such time, so every step there also pays for that work, which no user waits for. The
  back-to-back figures are printed too: they are the worst case (a scroll bar dragged
  as fast as the machine repaints).
* search: 50 queries (common words, rare words, prefixes, phrases, digits) through the
  search panel's model: ``run_now()`` → first page of results in the model (``finished``);
  the 180 ms typing debounce is not counted  [p99 ≤ 100 ms]
* memory: peak RSS of this process (``ru_maxrss``) and current RSS at the end  [≤ 400 MB]

"Painted" means: the call returned, pending events were processed, the view's first
visible index is valid, and ``viewport().repaint()`` returned (a synchronous paint of the
visible rows through the delegates); a paint-event counter checks that it happened.

Every figure is printed with a baseline measured in the same run, so the ratio is
meaningful on a noisy machine: plain ``sqlite3`` queries of the same rows (``LIMIT 50``)
for open/thread/search, and scrolling a plain ``QListView`` of one-line strings by the
same step for scrolling (back to back and paced, like the thread).

A cached case made by an older version of the program is migrated before anything is
measured, in a child process (like the build), so that its memory is not in the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOALS = {
    "open": 1000.0,
    "thread": 200.0,
    "scroll_p99": 16.0,
    "search_p99": 100.0,
    "rss": 400.0,
}

SEARCHES = [
    # common words
    "ok", "the", "meeting", "thanks", "tomorrow", "coffee", "love", "home", "work", "late",
    # rarer words (names, places)
    "Kenji", "Bristol", "Chiara", "Phoenix", "Sven", "invoice", "dentist", "wifi", "Dallas",
    # invented long-tail words are filled in from the case's vocabulary below
    # prefixes
    "meet*", "tom*", "appoint*", "resch*", "birth*", "pa*", "deadl*",
    # phrases
    '"see you tomorrow"', '"on my way"', '"call me back"', '"happy birthday"',
    '"let me know"', '"thank you so much"', '"running late"',
    # several words
    "coffee tomorrow", "pizza delivery", "flight hotel", "client report deadline",
    # digits: amounts / order numbers / phone fragments (FTS and participant substring)
    "45", "2024", "#48213", "555", "2145551000", "214 555", "+1972555", "0199",
]  # fmt: skip


# -- helpers -----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def rss_now_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def best_of(n: int, fn: Callable[[], object]) -> float:
    return min(timed(fn) for _ in range(n))


# -- the case ----------------------------------------------------------------------------------


def ensure_case(args: argparse.Namespace, folder: Path) -> Path:
    from _casegen import check_invariants

    name = f"case-{args.messages}-{args.conversations}-{args.big}-s{args.seed}.mcase"
    path = folder / name
    if path.exists():
        print(f"re-using {path}")
    else:
        print(f"building {path} (child process) …", flush=True)
        t = time.perf_counter()
        tmp = path.with_name(path.name + ".part")
        for stale in folder.glob(tmp.name + "*"):
            stale.unlink()
        cmd = [
            sys.executable,
            str(Path(__file__).resolve().parent / "_casegen.py"),
            str(tmp),
            f"--messages={args.messages}",
            f"--conversations={args.conversations}",
            f"--big={args.big}",
            f"--seed={args.seed}",
        ]
        subprocess.run(cmd, check=True)
        tmp.rename(path)
        print(f"built in {time.perf_counter() - t:.0f} s")
    # A cached case made by an older program is migrated once, outside the timings, in a
    # child process like the build (its memory is not this process's peak RSS).
    from msgcopy_viewer.store.schema import SCHEMA_VERSION

    conn = sqlite3.connect(str(path))
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    if version < SCHEMA_VERSION:
        print(
            f"migrating the cached case from format {version} to {SCHEMA_VERSION} (child process) …"
        )
        migrate = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from msgcopy_viewer.store.case import Case; Case.open(sys.argv[2]).close()"
        )
        subprocess.run([sys.executable, "-c", migrate, str(ROOT), str(path)], check=True)
        for bak in folder.glob(path.name + ".v*.bak"):
            bak.unlink()
    bad = check_invariants(path)
    if bad:
        raise SystemExit("the generated case breaks invariants: " + "; ".join(bad))
    print("case invariants: ok (conversation counts, FTS rows, aggregates)")
    return path


# -- the measurements --------------------------------------------------------------------------


class PaintCounter:
    """Counts paint events reaching a widget (proof that 'painted' happened)."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        class _Filter(QObject):
            count = 0

            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    _Filter.count += 1
                return False

        self.filter = _Filter()
        widget.installEventFilter(self.filter)

    @property
    def count(self) -> int:
        return type(self.filter).count


def paint_view(app, view) -> None:
    """Process pending events, then repaint the view's viewport synchronously."""
    from PySide6.QtCore import QPoint

    app.processEvents()
    view.indexAt(QPoint(8, 8))  # runs a posted layout, like a paint would
    view.viewport().repaint()


def idle(app, ms: float) -> None:
    """Let the event loop run freely for ``ms`` milliseconds (timers, posted events)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(ms), loop.quit)
    loop.exec()


def run(args: argparse.Namespace, case_path: Path) -> list[tuple[str, str, str, str, str]]:
    from PySide6.QtCore import QPoint, QStringListModel
    from PySide6.QtWidgets import QApplication, QListView

    from msgcopy_viewer.ui.timezone import TimeZoneSettings
    from msgcopy_viewer.ui.widgets.browser import Browser

    conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
    facts = json.loads(
        conn.execute("SELECT value FROM meta WHERE key = 'bench_facts'").fetchone()[0]
    )
    # The conversation with the most messages (cases built before the builder recorded it
    # correctly name another one in their facts).
    big_id, big_size = conn.execute(
        "SELECT id, message_count FROM conversations ORDER BY message_count DESC LIMIT 1"
    ).fetchone()
    facts["big_conversation"], facts["big_size"] = big_id, big_size
    print(f"  the big conversation: {big_size:,} messages", flush=True)
    n_messages = conn.execute("SELECT max(rowid) FROM messages").fetchone()[0]
    # a few invented long-tail words that occur in the case (rare words)
    from _casegen import vocabulary

    words, _cum = vocabulary(facts["seed"])
    searches = list(SEARCHES)
    searches[18:18] = [words[-1], words[-500], words[-5000], words[400], words[2000]]
    assert len(searches) == 50, len(searches)
    conn.close()

    app = QApplication.instance() or QApplication([])
    rows: list[tuple[str, str, str, str, str]] = []

    def row(name: str, goal: float | None, value: float, base: float | None, unit="ms") -> None:
        ok = "" if goal is None else ("PASS" if value <= goal else "MISS")
        rows.append(
            (
                name,
                "" if goal is None else f"≤ {goal:g} {unit}",
                f"{value:.1f} {unit}",
                "" if not base else f"{value / base:.1f}× ({base:.2f} {unit})",
                ok,
            )
        )
        print(f"  {name}: {value:.1f} {unit} {ok}", flush=True)

    # -- baselines: the same rows through plain sqlite3 -------------------------------------
    def sql_open() -> None:
        c = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
        c.execute(
            "SELECT id, participants, last_ms, last_snippet FROM conversations "
            "ORDER BY last_ms DESC, id DESC LIMIT 50"
        ).fetchall()
        c.close()

    base_conn = sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)

    def sql_thread() -> None:
        base_conn.execute(
            "SELECT rowid, text, start_ms FROM messages WHERE conversation_id = ? "
            "ORDER BY start_ms DESC, rowid DESC LIMIT 50",
            (big_id,),
        ).fetchall()

    base_open = best_of(5, sql_open)
    base_thread = best_of(5, sql_thread)

    tz = TimeZoneSettings()
    browser = Browser(tz)
    browser.resize(1600, 1000)
    browser.show()
    app.processEvents()
    conv_view = browser.conversations
    conv_paints = PaintCounter(conv_view.viewport())

    # -- open case → conversation list painted -----------------------------------------------
    t = time.perf_counter()
    browser.set_case(case_path)
    paint_view(app, conv_view)
    open_ms = (time.perf_counter() - t) * 1000
    assert conv_view.indexAt(QPoint(8, 8)).isValid() and conv_paints.count > 0
    row("open case → conversation list painted", GOALS["open"], open_ms, base_open)

    # -- open the big thread → first bubbles painted -------------------------------------------
    tv = browser.thread_view
    lst = tv.list
    bubble_paints = PaintCounter(lst.viewport())
    model = conv_view.conversation_model
    big_row = model.row_of(big_id)
    assert big_row >= 0, "the big conversation is not in the list"
    index = model.index(big_row, 0)
    t = time.perf_counter()
    conv_view.setCurrentIndex(index)  # what a click does
    paint_view(app, lst)
    thread_ms = (time.perf_counter() - t) * 1000
    assert lst.indexAt(QPoint(8, 8)).isValid() and bubble_paints.count > 0
    assert tv.conversation() is not None and tv.conversation().id == big_id
    row("open 100k thread → first bubbles painted", GOALS["thread"], thread_ms, base_thread)

    # -- jump to a search hit in the middle of the big thread (no goal; informative) ----------
    mid = (
        sqlite3.connect(f"{case_path.as_uri()}?mode=ro", uri=True)
        .execute(
            "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY start_ms "
            "LIMIT 1 OFFSET ?",
            (big_id, facts["big_size"] // 2),
        )
        .fetchone()[0]
    )

    def jump_mid() -> None:
        browser.open_rowid(mid)
        paint_view(app, lst)

    jump_ms = timed(jump_mid)
    row("jump to a message mid-thread → painted", None, jump_ms, base_thread)

    # -- scroll end to end -------------------------------------------------------------------
    sb = lst.verticalScrollBar()
    step = args.step or lst.viewport().height()

    def at_end(sign: int) -> bool:
        if sign < 0:
            return sb.value() == 0 and not tv.thread_model.can_fetch_older()
        return sb.value() >= sb.maximum() and not tv.thread_model.can_fetch_newer()

    # which steps added a page (the view says so with ``paged``)
    pages = [0]
    paging_steps: list[bool] = []
    lst.paged.connect(lambda: pages.__setitem__(0, pages[0] + 1))

    def walk(sign: int, interval: float = 0.0) -> tuple[list[float], float, bool]:
        """Step a page at a time (up: sign -1) until the thread's end or the time budget;
        returns each step's milliseconds, the seconds it took and whether it got there.
        With ``interval`` (ms), the event loop runs freely for that long before each step
        (not timed), as between the repeats of a key held down."""
        steps: list[float] = []
        budget = args.interval_budget if interval else args.scroll_budget
        deadline = time.perf_counter() + budget
        stuck = 0
        t_all = time.perf_counter()
        while time.perf_counter() < deadline:
            if interval:
                idle(app, interval)
            before = sb.value()
            pages_before = pages[0]
            t = time.perf_counter()
            sb.setValue(before + sign * step)
            paint_view(app, lst)
            steps.append((time.perf_counter() - t) * 1000)
            paging_steps.append(pages[0] != pages_before)
            if at_end(sign):
                break
            stuck = stuck + 1 if (sb.value() - before) * sign <= 0 else 0
            if stuck > 50:
                print(f"  (scrolling {'up' if sign < 0 else 'down'} stopped moving)")
                break
        return steps, time.perf_counter() - t_all, at_end(sign)

    newest = browser.case.conn.execute(
        "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY start_ms DESC, rowid DESC "
        "LIMIT 1",
        (big_id,),
    ).fetchone()[0]
    first = browser.case.conn.execute(
        "SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY start_ms, rowid LIMIT 1",
        (big_id,),
    ).fetchone()[0]

    def walk_both(interval: float) -> tuple[list[float], list[float], str]:
        """Up from the newest message, then down from the oldest one."""
        browser.open_rowid(newest)  # back to the newest message, as a user would
        paint_view(app, lst)
        rss_before_scroll = rss_now_mb()
        up, up_s, top_reached = walk(-1, interval)
        rows_loaded_top = tv.thread_model.rowCount()
        rss_top = rss_now_mb()
        browser.open_rowid(first)
        sb.setValue(0)
        paint_view(app, lst)
        down, down_s, bottom_reached = walk(+1, interval)
        rows_loaded_bottom = tv.thread_model.rowCount()
        note = "" if (top_reached and bottom_reached) else " (budget ran out before the end)"
        return (
            up,
            down,
            (
                f"scrolled up {len(up)} steps in {up_s:.0f} s (top reached: {top_reached}, "
                f"rows in model {rows_loaded_top}), down {len(down)} steps in {down_s:.0f} s "
                f"(bottom reached: {bottom_reached}, rows in model {rows_loaded_bottom}){note}; "
                f"RSS {rss_before_scroll:.0f} MB before, {rss_top:.0f} MB at the top"
            ),
        )

    up, down, walked = walk_both(0.0)
    kinds = paging_steps[:]
    paging_steps.clear()
    up_i, down_i, walked_i = walk_both(args.step_interval) if args.step_interval else ([], [], "")
    kinds_i = paging_steps[:]

    def by_kind(label: str, steps: list[float], kinds: list[bool], base: float) -> None:
        """p50/p99 of the steps that added a page and of the others; how many of the
        slowest 1 % added one."""
        paged = [ms for ms, k in zip(steps, kinds, strict=True) if k]
        other = [ms for ms, k in zip(steps, kinds, strict=True) if not k]
        worst = sorted(zip(steps, kinds, strict=True), reverse=True)[: max(1, len(steps) // 100)]
        for name, part in (
            (f"that added a page ({len(paged)})", paged),
            (f"others ({len(other)})", other),
        ):
            if part:
                row(f"  {label}: steps {name} p50", None, pct(part, 50), base)
                row(f"  {label}: steps {name} p99", None, pct(part, 99), base)
        n = sum(k for _ms, k in worst)
        print(f"  {label}: {n} of the slowest {len(worst)} steps added a page")

    # baseline: a plain QListView of one-line strings, same size, same step, same pacing
    plain = QListView()
    plain.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    plain.setModel(QStringListModel([f"message {i}" for i in range(100_000)], plain))
    plain.resize(lst.viewport().size())
    plain.show()
    paint_view(app, plain)
    psb = plain.verticalScrollBar()

    def plain_steps(n: int, interval: float) -> list[float]:
        out = []
        for _ in range(n):
            if interval:
                idle(app, interval)
            t = time.perf_counter()
            psb.setValue(psb.value() + step if psb.value() < psb.maximum() else 0)
            paint_view(app, plain)
            out.append((time.perf_counter() - t) * 1000)
        return out

    base_scroll = statistics.median(plain_steps(min(2000, max(200, len(up))), 0.0))
    base_scroll_i = (
        statistics.median(plain_steps(300, args.step_interval)) if args.step_interval else 0.0
    )
    plain.hide()

    # The goal is on the paced walk (see the docstring): back to back, every step also
    # pays for the work that the view does between steps, when the user reads.
    steps = up + down
    row(
        f"scroll step p50, back to back ({len(steps)} steps of {step} px)",
        None,
        pct(steps, 50),
        base_scroll,
    )
    row("scroll step p99, back to back", None, pct(steps, 99), base_scroll)
    row("scroll step max, back to back", None, max(steps), base_scroll)
    row("scroll up p99, back to back (loading older pages)", None, pct(up, 99), base_scroll)
    row("scroll down p99, back to back (loading newer pages)", None, pct(down, 99), base_scroll)
    print(f"  back to back: {walked}")
    by_kind("back to back", steps, kinds, base_scroll)
    if args.step_interval:
        steps_i = up_i + down_i
        every = f"every {args.step_interval:g} ms"
        row(
            f"scroll step p50, {every} ({len(steps_i)} steps)",
            None,
            pct(steps_i, 50),
            base_scroll_i,
        )
        row(f"scroll step p99, {every}", GOALS["scroll_p99"], pct(steps_i, 99), base_scroll_i)
        row(f"scroll step max, {every}", None, max(steps_i), base_scroll_i)
        row(f"scroll up p99, {every}", None, pct(up_i, 99), base_scroll_i)
        row(f"scroll down p99, {every}", None, pct(down_i, 99), base_scroll_i)
        print(f"  {every}: {walked_i}")
        by_kind(every, steps_i, kinds_i, base_scroll_i)

    # -- search ------------------------------------------------------------------------------
    panel = browser.search
    smodel = panel.model
    done: list[int] = []
    smodel.finished.connect(done.append)
    smodel.failed.connect(lambda msg: done.append(-1))
    times: list[float] = []
    per_query: list[tuple[str, float, int]] = []
    base_search: list[float] = []
    for q in searches:
        panel.field.setText(q)
        done.clear()
        t = time.perf_counter()
        panel.run_now()
        while not done:
            app.processEvents()
            if time.perf_counter() - t > 60:
                raise SystemExit(f"search {q!r} took more than 60 s")
            time.sleep(0.0002)
        ms = (time.perf_counter() - t) * 1000
        times.append(ms)
        per_query.append((q, ms, done[0]))
        from msgcopy_viewer.store.search import parse_query

        pq = parse_query(q)
        if pq.fts:
            base_search.append(
                timed(
                    lambda fts=pq.fts: base_conn.execute(
                        "SELECT rowid FROM message_fts WHERE message_fts MATCH ? LIMIT 50",
                        (fts,),
                    ).fetchall()
                )
            )
    panel.field.setText("")
    panel.run_now()
    bs = statistics.median(base_search)
    row(f"search p50 ({len(times)} queries)", None, pct(times, 50), bs)
    row("search p99", GOALS["search_p99"], pct(times, 99), bs)
    row("search max", None, max(times), bs)
    slow = sorted(per_query, key=lambda x: -x[1])[:6]
    print("  slowest searches: " + ", ".join(f"{q} {ms:.0f} ms ({n} rows)" for q, ms, n in slow))

    # -- memory ------------------------------------------------------------------------------
    app.processEvents()
    row("peak RSS (ru_maxrss)", GOALS["rss"], peak_rss_mb(), None, "MB")
    row("RSS at the end (VmRSS)", None, rss_now_mb(), None, "MB")
    print(f"  case: {n_messages:,} messages, {case_path.stat().st_size / 1e6:.0f} MB on disk")

    browser.shutdown()
    browser.close()
    base_conn.close()
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    head = ("figure", "goal", "measured", "ratio to baseline (baseline)", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, help="folder keeping the built case between runs")
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--step", type=int, default=0, help="scroll step in px (0: a page)")
    ap.add_argument(
        "--scroll-budget",
        type=float,
        default=150.0,
        help="seconds per scroll direction, steps back to back",
    )
    ap.add_argument(
        "--step-interval",
        type=float,
        default=33.0,
        help="ms between paced scroll steps (a key held down repeats at ~30 Hz; 0: skip)",
    )
    ap.add_argument(
        "--interval-budget",
        type=float,
        default=60.0,
        help="seconds per scroll direction, paced steps",
    )
    args = ap.parse_args()
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
        folder, temp = args.cache, None
    else:
        temp = Path(tempfile.mkdtemp(prefix="gui-scale-"))
        folder = temp
    try:
        path = ensure_case(args, folder)
        rows = run(args, path)
        print_table(rows)
        missed = [r[0] for r in rows if r[4] == "MISS"]
        print("\nall goals met" if not missed else "\nmissed: " + "; ".join(missed))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
