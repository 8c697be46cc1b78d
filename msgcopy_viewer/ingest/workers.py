"""Worker processes that read and analyse files for an import.

A small pool made for the import's shape: the importing thread hands out chunks
of jobs round-robin, at most a few per worker, and takes the results back in
the order it handed them out. It receives and unpickles results itself, so no
helper thread of the pool competes with it for the GIL (that contention
made ``concurrent.futures`` deliver results late). Each worker drains its job
pipe on a thread of its own, so handing out a job never waits for a worker that
is busy sending a result: neither side can block the other.

A worker that dies (killed, out of memory) is noticed when its result is due;
its outstanding chunks are then analysed in this process and it gets no more.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

Jobs = list[Any]
Analyse = Callable[[Jobs], list[Any]]


def _single_threaded() -> bool:
    """True when this process runs one thread: Python's, Qt's and any library's counted
    (Linux lists them all in /proc/self/task)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _context() -> multiprocessing.context.BaseContext:
    """fork where it is safe (Linux, a single-threaded process): a forked worker starts
    at once with everything imported; spawn otherwise (a forked child gets copies of the
    other threads' locks but not the threads; Qt's threads would not survive either)."""
    if sys.platform.startswith("linux") and _single_threaded():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_main(conn: Connection, analyse: Analyse, inherited: list[Connection]) -> None:
    # A forked worker holds copies of the importer's ends of the pipes made so far, its
    # own included: closed here, so that each worker sees end-of-file when the
    # importer closes its end.
    for other in inherited:
        other.close()
    jobs: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def drain() -> None:
        try:
            while True:
                jobs.put(conn.recv_bytes())
        except (EOFError, OSError):
            jobs.put(None)

    threading.Thread(target=drain, name="msgcopy-jobs", daemon=True).start()
    try:
        while True:
            msg = jobs.get()
            if msg is None:
                return
            result = analyse(pickle.loads(msg))
            conn.send_bytes(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
    except (BrokenPipeError, EOFError, KeyboardInterrupt):
        return  # the importer is gone or stopping


class WorkerPool:
    def __init__(self, workers: int, analyse: Analyse, per_worker: int = 3) -> None:
        self._analyse = analyse
        self._per_worker = per_worker
        ctx = _context()
        forked = ctx.get_start_method() == "fork"
        self._conns: list[Connection | None] = []
        self._procs: list[Any] = []
        for i in range(workers):
            parent, child = ctx.Pipe(duplex=True)
            inherited = [c for c in self._conns if c is not None] + [parent] if forked else []
            proc = ctx.Process(  # type: ignore[attr-defined]
                target=_worker_main,
                args=(child, analyse, inherited),
                name=f"msgcopy-worker-{i}",
                daemon=True,
            )
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
        # (worker index or None for "analysed here", jobs, result when analysed here)
        self._pending: deque[tuple[int | None, Jobs, list[Any] | None]] = deque()
        self._turn = 0

    @property
    def capacity(self) -> int:
        return self._per_worker * max(1, sum(c is not None for c in self._conns))

    def __len__(self) -> int:
        return len(self._pending)

    def submit(self, jobs: Jobs) -> None:
        live = [i for i, c in enumerate(self._conns) if c is not None]
        if not live:
            self._pending.append((None, jobs, self._analyse(jobs)))
            return
        index = live[self._turn % len(live)]
        self._turn += 1
        conn = self._conns[index]
        assert conn is not None
        try:
            conn.send_bytes(pickle.dumps(jobs, pickle.HIGHEST_PROTOCOL))
        except OSError:
            self._lose(index)
            self._pending.append((None, jobs, self._analyse(jobs)))
            return
        self._pending.append((index, jobs, None))

    def submit_local(self, jobs: Jobs) -> None:
        """Analyse here (in order with the rest): for jobs too big to ship."""
        self._pending.append((None, jobs, self._analyse(jobs)))

    def result(self) -> list[Any]:
        """The result of the oldest outstanding chunk."""
        index, jobs, done = self._pending.popleft()
        if done is not None:
            return done
        conn = None if index is None else self._conns[index]
        if conn is not None:
            try:
                return pickle.loads(conn.recv_bytes())  # type: ignore[no-any-return]
            except (EOFError, OSError):
                assert index is not None
                self._lose(index)
        return self._analyse(jobs)

    def _lose(self, index: int) -> None:
        log.warning(
            "worker process %d (pid %s) died; its files are analysed in this process",
            index,
            self._procs[index].pid,
        )
        conn = self._conns[index]
        if conn is not None:
            conn.close()
        self._conns[index] = None
        # Chunks already handed to it will be analysed here when their turn comes.
        self._pending = deque(
            (None if i == index else i, jobs, done) for i, jobs, done in self._pending
        )

    def close(self) -> None:
        for i, conn in enumerate(self._conns):
            if conn is not None:
                conn.close()
                self._conns[i] = None
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self._pending.clear()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
