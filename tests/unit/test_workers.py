from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from msgcopy_viewer.ingest.workers import WorkerPool


def _square(jobs: list[Any]) -> list[Any]:
    return [(os.getpid(), j * j) for j in jobs]


def _pids(pool: WorkerPool) -> list[int]:
    return [p.pid for p in pool._procs]


def test_results_come_back_in_order_from_several_workers() -> None:
    with WorkerPool(2, _square, per_worker=2) as pool:
        out: list[int] = []
        seen_pids: set[int] = set()
        chunks = [list(range(i, i + 5)) for i in range(0, 100, 5)]
        pending = iter(chunks)
        done = 0
        while done < len(chunks):
            while len(pool) < pool.capacity:
                chunk = next(pending, None)
                if chunk is None:
                    break
                pool.submit(chunk)
            result = pool.result()
            done += 1
            out.extend(v for _, v in result)
            seen_pids.update(pid for pid, _ in result)
        assert out == [i * i for i in range(100)]
        assert seen_pids <= set(_pids(pool)) and len(seen_pids) == 2
        assert os.getpid() not in seen_pids


def test_local_jobs_keep_their_place() -> None:
    with WorkerPool(1, _square) as pool:
        pool.submit([1])
        pool.submit_local([2])
        pool.submit([3])
        got = [pool.result()[0] for _ in range(3)]
    assert [v for _, v in got] == [1, 4, 9]
    assert got[1][0] == os.getpid() and got[0][0] != os.getpid()


def test_a_dead_worker_is_replaced_by_this_process() -> None:
    with WorkerPool(2, _square, per_worker=1) as pool:
        victim = _pids(pool)[0]
        os.kill(victim, signal.SIGKILL)
        pool._procs[0].join(timeout=10)
        for i in range(4):
            pool.submit([i])
        got = [pool.result()[0] for _ in range(4)]
        assert [v for _, v in got] == [0, 1, 4, 9]
        # Chunks meant for the dead worker were analysed here; the other worker goes on.
        assert got[0][0] == os.getpid()
        assert got[1][0] == _pids(pool)[1]
        assert pool.capacity == 1


def test_close_ends_the_workers() -> None:
    pool = WorkerPool(2, _square)
    pool.submit([1, 2])
    procs = list(pool._procs)
    pool.close()
    assert all(not p.is_alive() for p in procs)


@pytest.mark.parametrize("workers", [1, 2])
def test_no_workers_left_after_an_error(workers: int) -> None:
    procs = []
    with pytest.raises(RuntimeError), WorkerPool(workers, _square) as pool:
        procs = list(pool._procs)
        pool.submit([1])
        raise RuntimeError("importer failed")
    assert procs and all(not p.is_alive() for p in procs)


def test_workers_are_spawned_when_this_process_has_other_threads() -> None:
    import threading

    from msgcopy_viewer.ingest.workers import _context

    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert _context().get_start_method() == "spawn"
        with WorkerPool(1, _square) as pool:  # and a spawned pool works
            pool.submit([3])
            assert pool.result()[0][1] == 9
    finally:
        stop.set()
        t.join()
