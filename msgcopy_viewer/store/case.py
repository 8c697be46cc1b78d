"""Opening, creating and migrating case files (one SQLite database per case).

One connection per thread: the GUI thread reads through its own ``Case``; an
import worker or the receiver opens another ``Case`` on the same path. WAL
mode lets readers go on while a writer commits.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from msgcopy_viewer import __version__
from msgcopy_viewer.store.connection import CaseConnection, open_reader, open_writer
from msgcopy_viewer.store.errors import CaseError, CaseTooNewError, StorageError, classify
from msgcopy_viewer.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

__all__ = ["CASE_SUFFIX", "Case", "CaseError", "CaseTooNewError", "StorageError", "now_ms"]

CASE_SUFFIX = ".mcase"
PAGE_SIZE = 16384
SQLITE_MAGIC = b"SQLite format 3\x00"


def now_ms() -> int:
    return int(time.time() * 1000)


def _not_ours(path: Path) -> CaseError:
    return CaseError(f"{path} is an SQLite database, but not a msgcopy-viewer case.")


def _writable(path: Path) -> bool:
    """Whether the case and its folder (for the write-ahead log) may be written."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


class Case:
    """A connection to one case file."""

    def __init__(
        self, path: Path, conn: CaseConnection, *, readonly: bool, readonly_reason: str = ""
    ) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly
        # Why a case asked for read-write was opened read-only ("" when it was asked for).
        self.readonly_reason = readonly_reason
        self._tx_depth = 0  # transactions opened by transaction(), outermost first

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, readonly: bool = False) -> Case:
        """Open (and when ``create``, create) the case at ``path``; migrate it if it is older.

        A file that exists is identified through a read-only connection before anything
        is written to it: another program's database, or a damaged file, is refused with
        its bytes untouched. A case that cannot be written (read-only file, folder or
        medium) is opened read-only and says why in ``readonly_reason``.

        Raises CaseError (StorageError for the environment's failures) with a plain reason.
        """
        p = Path(path).expanduser()
        try:
            p = p.resolve()
        except OSError as exc:
            raise classify(exc, p) or CaseError(f"Cannot use {p}: {exc}") from exc
        if p.is_dir():
            raise CaseError(f"{p} is a folder, not a case file.")
        exists = p.exists()
        if exists and not p.is_file():
            raise CaseError(f"{p} is not a regular file, so it cannot be a case.")
        if not exists and (not create or readonly):
            raise CaseError(f"No case at {p}.")
        if not exists and not p.parent.is_dir():
            raise CaseError(f"Cannot create {p}: the folder {p.parent} does not exist.")
        new = not exists or p.stat().st_size == 0
        if new and (readonly or not create):
            raise CaseError(f"{p} is empty: there is no case in it.")
        reason = ""
        if not new:
            _identify(p)
            if not readonly and not _writable(p):
                readonly = True
                reason = "the file or its folder cannot be written"
        conn = open_reader(p) if readonly else open_writer(p)
        case = cls(p, conn, readonly=readonly, readonly_reason=reason)
        try:
            case._prepare(new=new)
        except BaseException:
            conn.close()
            raise
        return case

    def _prepare(self, *, new: bool) -> None:
        conn = self.conn
        conn.row_factory = sqlite3.Row
        version = _check_identity(conn, self.path)
        if new:
            # Larger pages store MMS media (hundreds of KB per row) about twice as fast;
            # must be set before the first table and before WAL.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if not self.readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            if self.readonly:
                why = f" ({self.readonly_reason})" if self.readonly_reason else ""
                raise CaseError(
                    f"The case {self.path} needs upgrading (format {version} to "
                    f"{SCHEMA_VERSION}), which cannot be done read-only{why}. Copy it to a "
                    "folder you can write to and open the copy."
                )
            self._migrate(version, backup=not new and version > 0)

    def _migrate(self, version: int, *, backup: bool) -> None:
        if backup:
            dest = self.backup_path(version)
            log.info("backing up %s to %s before migrating", self.path, dest)
            self.backup_to(dest)
        conn = self.conn
        for step in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                migration = MIGRATIONS[step]
                if callable(migration):
                    migration(conn)
                else:
                    for statement in _split_sql(migration):
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step + 1}")
                if step == 0:
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(
                        "INSERT INTO meta(key, value) VALUES ('created_ms', ?), ('created_by', ?)",
                        (str(now_ms()), f"msgcopy-viewer {__version__}"),
                    )
                conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise

    def backup_path(self, version: int) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return self.path.with_name(f"{self.path.name}.v{version}-{stamp}.bak")

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the case (SQLite online backup)."""
        target = sqlite3.connect(str(dest))
        try:
            self.conn.backup(target)
        finally:
            target.close()

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:  # closing never matters: what was committed is on disk
            log.debug("closing %s", self.path, exc_info=True)

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside another one, a savepoint of it, so that several changes
        made by functions that each open a transaction can be made as one (an undo step)."""
        depth = self._tx_depth
        if depth:
            name = f"nested_{depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._tx_depth = depth + 1
            try:
                yield self.conn
            except BaseException:
                try:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                except sqlite3.Error as exc:  # the outer transaction reports the first error
                    log.info("rollback of a savepoint of %s failed: %s", self.path, exc)
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._tx_depth = depth
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._tx_depth = 1
        try:
            yield self.conn
        except BaseException:
            self.rollback()
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._tx_depth = 0

    def rollback(self) -> None:
        """Roll back the open transaction, if any. Never raises: SQLite has already rolled
        back on some failures (a full disk), and the first error is the one to report."""
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            log.info("rollback of %s failed: %s", self.path, exc)

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def counts(self) -> dict[str, int]:
        q = self.conn.execute
        return {
            "messages": q("SELECT count(*) FROM messages").fetchone()[0],
            "conversations": q("SELECT count(*) FROM conversations").fetchone()[0],
            "subscribers": q("SELECT count(*) FROM subscribers").fetchone()[0],
            "source_files": q("SELECT count(*) FROM source_files").fetchone()[0],
            "batches": q("SELECT count(*) FROM import_batches").fetchone()[0],
        }

    def media_bytes(self, sha256: str) -> bytes | None:
        row = self.conn.execute("SELECT data FROM media WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise CaseTooNewError(
            f"The case {path} was made by a newer msgcopy-viewer (case format "
            f"{version}; this program reads up to {SCHEMA_VERSION}). Update the program "
            f"to open it."
        )


def _identify(path: Path) -> None:
    """Refuse a file that is not a case from its 100-byte SQLite header alone: no SQLite
    connection is made to it, so nothing is written to it or beside it (a read-only
    connection to a WAL database would leave ``-wal`` and ``-shm`` files next to it)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise classify(exc, path) or CaseError(f"Cannot read {path}: {exc}") from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise CaseError(f"{path} is not a msgcopy-viewer case (not an SQLite file).")
    schema_cookie = int.from_bytes(header[40:44], "big")
    version = int.from_bytes(header[60:64], "big")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID and (version != 0 or schema_cookie != 0):
        raise _not_ours(path)
    _check_version(path, version)


def _check_identity(conn: sqlite3.Connection, path: Path) -> int:
    """The case's version, read through the connection (which sees committed pages still
    in the write-ahead log) before anything is written; refuses what is not a case."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if app_id != APPLICATION_ID:
        tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        if version != 0 or tables:
            raise _not_ours(path)
    _check_version(path, version)
    return version


def _split_sql(script: str) -> list[str]:
    """Split a schema script into statements (comments dropped; no ';' inside literals)."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]
