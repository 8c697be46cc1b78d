"""Cyclic garbage is collected on the GUI thread, not by whichever thread allocates."""

from __future__ import annotations

import gc
import threading
from typing import Any


def test_worker_allocations_do_not_collect_gui_garbage(qtbot: Any) -> None:
    # tests/gui/conftest.py installs the app's MainThreadGarbageCollector for every test.
    assert not gc.isenabled()
    finalised_in: list[str] = []

    class Tracked:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            finalised_in.append(threading.current_thread().name)

    Tracked()  # unreachable cycle: only the collector can free it
    kept: list[list[int]] = []

    def churn() -> None:
        kept.extend([i] for i in range(50_000))  # enough to cross every threshold

    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join()
    assert finalised_in == []
    qtbot.waitUntil(lambda: finalised_in == [threading.main_thread().name], timeout=5000)
