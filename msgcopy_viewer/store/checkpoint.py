"""Checkpoint a case's write-ahead log on a thread of its own during a bulk write.

SQLite's automatic checkpoint runs inside ``COMMIT`` on the writing thread and
ends with an fsync, which on a virtual disk costs about as much as writing the
rows did. A bulk writer turns it off (``PRAGMA wal_autocheckpoint = 0``) and
lets this thread copy committed pages into the case file meanwhile, through its
own connection: a passive checkpoint never blocks the writer or any reader, and
the sqlite3 module releases the GIL for its whole duration.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL_S = 0.25


class BackgroundCheckpointer:
    def __init__(self, path: str | Path, interval_s: float = INTERVAL_S) -> None:
        self._path = str(path)
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="msgcopy-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error:  # the writer reports problems with the case itself
            log.warning("background checkpoint: cannot open %s", self._path, exc_info=True)
            return
        try:
            conn.execute("PRAGMA busy_timeout = 100")
            while not self._stop.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # busy or locked: the next round catches up
                    continue
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop and wait for the thread (the caller checkpoints what is left)."""
        self._stop.set()
        self._thread.join()
