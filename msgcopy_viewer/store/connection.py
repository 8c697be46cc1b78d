"""Every connection to a case is made here: one factory, one set of pragmas, one place
where SQLite errors are classified (``store.errors``).

``CaseConnection`` is an ``sqlite3.Connection`` whose ``execute``, ``executemany``,
``executescript`` and ``commit`` turn an environment failure (disk full, read-only, locked,
damaged, I/O) into ``StorageError``; other errors — bugs — pass through unchanged.
``open_reader`` is the read-only connection used by the GUI thread, worker threads (page
loads, thumbnails, MMS images) and the exports; ``open_writer`` the read-write one of an
import, the receiver or the store's own upkeep.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgcopy_viewer.store.errors import StorageError, classify

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32000  # page cache per connection

# The parameter types of sqlite3.Connection.execute as typeshed spells them.
_Params = Any


class CaseConnection(sqlite3.Connection):
    """A connection that reports environment failures as ``StorageError``."""

    case_path: Path = Path()

    def _fail(self, exc: sqlite3.Error) -> StorageError | None:
        return classify(exc, self.case_path)

    def execute(self, sql: str, parameters: _Params = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            err = self._fail(exc)
            if err is None:
                raise
            raise err from exc

    def executemany(self, sql: str, parameters: Iterable[_Params], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            err = self._fail(exc)
            if err is None:
                raise
            raise err from exc

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.Error as exc:
            err = self._fail(exc)
            if err is None:
                raise
            raise err from exc

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            err = self._fail(exc)
            if err is None:
                raise
            raise err from exc


def _connect(path: Path, *, readonly: bool, immutable: bool = False) -> CaseConnection:
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro" + ("&immutable=1" if immutable else ""),
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                factory=CaseConnection,
            )
        else:
            conn = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, factory=CaseConnection
            )
    except sqlite3.Error as exc:
        err = classify(exc, path)
        if err is None:
            raise
        raise err from exc
    assert isinstance(conn, CaseConnection)
    conn.case_path = path
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if readonly:
            conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def open_reader(path: str | Path) -> CaseConnection:
    """A read-only connection to an existing case (no writes are possible through it,
    and opening it writes nothing to the case file).

    On read-only media a case in WAL mode cannot get the shared-memory file SQLite wants
    beside it; nothing can write to it there either, so it is then read as immutable.
    """
    p = Path(path)
    try:
        conn = _connect(p, readonly=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            conn.close()
            raise
    except StorageError as exc:
        if exc.kind not in ("cantopen", "readonly", "io") or os.access(p.parent, os.W_OK):
            raise
        conn = _connect(p, readonly=True, immutable=True)
    return conn


def open_writer(path: str | Path) -> CaseConnection:
    """A read-write connection (the caller has checked that the file is a case, see
    ``store.case``)."""
    return _connect(Path(path), readonly=False)
