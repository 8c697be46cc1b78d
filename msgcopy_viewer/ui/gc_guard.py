"""Run Python's cyclic garbage collector on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is
crossed. When that is a worker (an import, a thumbnail decoder), it may finalise
unreachable Qt wrappers of widgets that belong to the GUI thread and destroy them
there, which crashes Qt. So automatic collection is switched off while the app
runs and a timer on the GUI thread collects instead, generation by generation,
as the standard thresholds would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGarbageCollector(QObject):
    INTERVAL_MS = 500

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(self.INTERVAL_MS)

    def check(self) -> None:
        counts = gc.get_count()
        t0, t1, t2 = self._thresholds
        if counts[0] <= t0:
            return
        if counts[1] > t1:
            gc.collect(2 if counts[2] > t2 else 1)
        else:
            gc.collect(0)

    def stop(self) -> None:
        """Collect everything on this (GUI) thread and restore automatic collection."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
