"""Opening, creating and migrating case files (one SQLite database per case).

One connection per thread: the GUI thread reads through its own ``Case``; an
import worker or the receiver opens another ``Case`` on the same path. WAL
mode lets readers go on while a writer commits.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from msgcopy_viewer import __version__
from msgcopy_viewer.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

CASE_SUFFIX = ".mcase"
PAGE_SIZE = 16384


class CaseError(Exception):
    """A case cannot be used; ``str()`` is a plain-language explanation for the user."""


class CaseTooNewError(CaseError):
    pass


def _explain(exc: BaseException, path: Path) -> str:
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return f"The case {path} is locked by another program. Close it there and try again."
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "file is encrypted" in text
    ):
        return f"{path} is not a msgcopy-viewer case, or it is damaged ({exc})."
    if "readonly" in text or "read-only" in text:
        return f"The case {path} is read-only: it can be viewed but not changed."
    if "disk is full" in text or "database or disk is full" in text:
        return f"The disk holding {path} is full."
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return f"The disk holding {path} is full."
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"Permission denied: {path}"
        return f"Cannot use {path}: {exc.strerror or exc}"
    if "unable to open" in text:
        return f"Cannot open {path}: the folder does not exist or is not writable."
    return f"Cannot use the case {path}: {exc}"


def now_ms() -> int:
    return int(time.time() * 1000)


class Case:
    """A connection to one case file."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, readonly: bool = False) -> Case:
        """Open (and when ``create``, create) the case at ``path``; migrate it if it is older.

        Raises CaseError with a plain-language reason.
        """
        p = Path(path).expanduser()
        try:
            p = p.resolve()
        except OSError as exc:
            raise CaseError(_explain(exc, p)) from exc
        if p.is_dir():
            raise CaseError(f"{p} is a folder, not a case file.")
        exists = p.exists()
        if not exists and (not create or readonly):
            raise CaseError(f"No case at {p}.")
        if not exists and not p.parent.is_dir():
            raise CaseError(f"Cannot create {p}: the folder {p.parent} does not exist.")
        if exists and p.stat().st_size > 0:
            with p.open("rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise CaseError(f"{p} is not a msgcopy-viewer case (not an SQLite file).")
        try:
            if readonly:
                conn = sqlite3.connect(
                    f"{p.as_uri()}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
                )
            else:
                conn = sqlite3.connect(str(p), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 5000")
            case = cls(p, conn, readonly=readonly)
            case._prepare(new=not exists)
        except sqlite3.Error as exc:
            raise CaseError(_explain(exc, p)) from exc
        except OSError as exc:
            raise CaseError(_explain(exc, p)) from exc
        return case

    def _prepare(self, *, new: bool) -> None:
        conn = self.conn
        conn.row_factory = sqlite3.Row
        if new and not self.readonly:
            # Larger pages store MMS media (hundreds of KB per row) about twice as fast;
            # must be set before the first table and before WAL.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if not self.readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32000")  # 32 MB page cache per connection
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise CaseError(
                    f"{self.path} is an SQLite database, but not a msgcopy-viewer case."
                )
        elif app_id != APPLICATION_ID:
            raise CaseError(f"{self.path} is an SQLite database, but not a msgcopy-viewer case.")
        if version > SCHEMA_VERSION:
            raise CaseTooNewError(
                f"The case {self.path} was made by a newer msgcopy-viewer (case format "
                f"{version}; this program reads up to {SCHEMA_VERSION}). Update the program "
                f"to open it."
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise CaseError(
                    f"The case {self.path} needs upgrading (format {version} to "
                    f"{SCHEMA_VERSION}), which cannot be done read-only."
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
                for statement in _split_sql(MIGRATIONS[step]):
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
                conn.execute("ROLLBACK")
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
        except sqlite3.Error:  # pragma: no cover - closing never matters
            pass

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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


def _split_sql(script: str) -> list[str]:
    """Split a schema script into statements (comments dropped; no ';' inside literals)."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]
