"""The import ledger: the batches of a case and what each did with every file it saw.

Read by the CLI (``msgcopy-viewer ledger``) and the GUI's ledger dialog alike. Rows are
read in pages with a keyset on ``source_files.id`` (``id > after``), never with OFFSET.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

__all__ = [
    "OUTCOMES",
    "Batch",
    "LedgerRow",
    "batch",
    "batches",
    "latest_batch_id",
    "new_message_count",
    "outcome_counts",
    "rows",
]

#: What an import does with a file (``source_files.outcome``).
OUTCOMES = ("imported", "duplicate", "rejected", "skipped")


@dataclass(slots=True, frozen=True)
class Batch:
    """One import: when, from where, how it ended (and why, when it failed)."""

    id: int
    started_ms: int
    finished_ms: int | None
    #: running | completed | cancelled | failed | interrupted
    status: str
    #: The folders, files and archives the user named.
    roots: list[str]
    #: cli | gui | receiver
    origin: str
    files_seen: int
    #: Why the import stopped, for a failed (or interrupted) batch; None otherwise.
    reason: str | None


@dataclass(slots=True, frozen=True)
class LedgerRow:
    """One file an import saw, and what it did with it."""

    id: int
    path: str
    outcome: str
    reason: str | None
    events: int
    new_messages: int
    size: int | None
    sha256: str | None
    root: str


_BATCH_COLUMNS = "id, started_ms, finished_ms, status, roots, origin, files_seen, reason"
_ROW_COLUMNS = "id, path, outcome, reason, events, new_messages, size, sha256, root"


def _batch(r: tuple[object, ...]) -> Batch:
    try:
        roots = json.loads(str(r[4]))
    except ValueError:
        roots = []
    return Batch(
        id=int(str(r[0])),
        started_ms=int(str(r[1])),
        finished_ms=None if r[2] is None else int(str(r[2])),
        status=str(r[3]),
        roots=[str(x) for x in roots] if isinstance(roots, list) else [],
        origin=str(r[5]),
        files_seen=int(str(r[6])),
        reason=None if r[7] is None else str(r[7]),
    )


def _row(r: tuple[object, ...]) -> LedgerRow:
    return LedgerRow(
        id=int(str(r[0])),
        path=str(r[1]),
        outcome=str(r[2]),
        reason=None if r[3] is None else str(r[3]),
        events=int(str(r[4])),
        new_messages=int(str(r[5])),
        size=None if r[6] is None else int(str(r[6])),
        sha256=None if r[7] is None else str(r[7]),
        root=str(r[8]),
    )


def batches(conn: sqlite3.Connection) -> list[Batch]:
    """Every import of the case, the latest first."""
    cur = conn.execute(f"SELECT {_BATCH_COLUMNS} FROM import_batches ORDER BY id DESC")
    return [_batch(tuple(r)) for r in cur]


def batch(conn: sqlite3.Connection, batch_id: int) -> Batch | None:
    r = conn.execute(
        f"SELECT {_BATCH_COLUMNS} FROM import_batches WHERE id = ?", (batch_id,)
    ).fetchone()
    return None if r is None else _batch(tuple(r))


def latest_batch_id(conn: sqlite3.Connection) -> int | None:
    r = conn.execute("SELECT max(id) FROM import_batches").fetchone()
    return None if r is None or r[0] is None else int(r[0])


def rows(
    conn: sqlite3.Connection,
    batch_id: int,
    *,
    after: int = 0,
    limit: int | None = None,
    outcome: str | None = None,
) -> list[LedgerRow]:
    """The batch's files in the order it saw them: those after the row id ``after``, at
    most ``limit`` of them, only those with ``outcome`` when it is given."""
    sql = f"SELECT {_ROW_COLUMNS} FROM source_files WHERE batch_id = ? AND id > ?"
    params: list[object] = [batch_id, after]
    if outcome is not None:
        sql += " AND outcome = ?"
        params.append(outcome)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, limit))
    return [_row(tuple(r)) for r in conn.execute(sql, params)]


def outcome_counts(conn: sqlite3.Connection, batch_id: int) -> dict[str, int]:
    """How many files of the batch had each outcome (every outcome present, 0 or more)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome, n in conn.execute(
        "SELECT outcome, count(*) FROM source_files WHERE batch_id = ? GROUP BY outcome",
        (batch_id,),
    ):
        counts[str(outcome)] = int(n)
    return counts


def new_message_count(conn: sqlite3.Connection, batch_id: int) -> int:
    """Messages the batch added to the case."""
    r = conn.execute(
        "SELECT coalesce(sum(new_messages), 0) FROM source_files WHERE batch_id = ?",
        (batch_id,),
    ).fetchone()
    return int(r[0])
