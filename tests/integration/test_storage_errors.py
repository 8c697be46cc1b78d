"""Storage failures are the environment's, not bugs: one plain line, exit 2, a failed batch.

A full disk is made two ways: a small tmpfs (when this process may mount one) and a file
size limit (``RLIMIT_FSIZE``, anywhere). Either way the import must stop with one line on
stderr and exit status 2, mark its batch ``failed`` with the reason, and leave a case that
passes SQLite's integrity check and holds every message it committed, once.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.connection import open_reader
from msgcopy_viewer.store.errors import StorageError, classify
from tests.integration.vendor import sms_event, write


def _corpus(folder: Path, files: int, *, start: int = 0) -> Path:
    for i in range(start, start + files):
        write(
            folder / f"{i:05d}.json",
            sms_event(f"message {i} " + "x" * 400, other=f"1214555{i % 9000:04d}"),
        )
    return folder


def _cli(*args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "msgcopy_viewer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )


def _check_failed_case(case_path: Path, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr  # one plain line, no traceback
    assert "Traceback" not in proc.stderr
    assert str(case_path) in lines[0]
    conn = sqlite3.connect(case_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        batches = conn.execute("SELECT status, reason FROM import_batches ORDER BY id").fetchall()
        assert batches[0][0] == "completed"
        status, reason = batches[-1]
        assert status == "failed"
        assert reason and str(case_path) in reason
        # Every committed message is there once: ids are unique and match the ledger.
        messages = conn.execute("SELECT count(*), count(DISTINCT id) FROM messages").fetchone()
        assert messages[0] == messages[1]
        imported = conn.execute(
            "SELECT coalesce(sum(new_messages), 0) FROM source_files"
        ).fetchone()[0]
        assert imported == messages[0]
    finally:
        conn.close()


def test_file_size_limit_during_import_exits_2_with_a_failed_batch(tmp_path: Path) -> None:
    case_path = tmp_path / "ev.mcase"
    first = _cli("import", str(_corpus(tmp_path / "a", 5)), "--case", str(case_path))
    assert first.returncode == 0, first.stderr
    more = _corpus(tmp_path / "b", 3000, start=5)
    size = case_path.stat().st_size
    proc = _cli("import", str(more), "--case", str(case_path), fsize=size + 300_000)
    _check_failed_case(case_path, proc)


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    return done.returncode == 0


def test_full_disk_during_import_exits_2_with_a_failed_batch(tmp_path: Path) -> None:
    disk = tmp_path / "small-disk"
    if not _mount_tmpfs(disk, "4m"):
        pytest.skip("mounting a small tmpfs needs root and mount rights (covered by RLIMIT)")
    try:
        case_path = disk / "ev.mcase"
        first = _cli("import", str(_corpus(tmp_path / "a", 5)), "--case", str(case_path))
        assert first.returncode == 0, first.stderr
        proc = _cli("import", str(_corpus(tmp_path / "b", 6000, start=5)), "--case", str(case_path))
        _check_failed_case(case_path, proc)
        assert "full" in proc.stderr
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_import_json_summary_is_not_printed_for_a_failed_import(tmp_path: Path) -> None:
    case_path = tmp_path / "ev.mcase"
    assert _cli("import", str(_corpus(tmp_path / "a", 3)), "--case", str(case_path)).returncode == 0
    size = case_path.stat().st_size
    more = _corpus(tmp_path / "b", 2000, start=3)
    proc = _cli("import", str(more), "--case", str(case_path), "--json", fsize=size + 200_000)
    assert proc.returncode == 2
    assert proc.stdout == ""
    with pytest.raises(json.JSONDecodeError):
        json.loads(proc.stdout)


def test_locked_case_is_a_storage_error(tmp_path: Path) -> None:
    case_path = tmp_path / "ev.mcase"
    Case.open(case_path).close()
    holder = sqlite3.connect(case_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as info:
            case = Case.open(case_path)
            case.conn.execute("PRAGMA busy_timeout = 50")
            with case.transaction():
                pass
        assert info.value.kind == "locked"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_classify_uses_error_codes_not_wording(tmp_path: Path) -> None:
    full = sqlite3.OperationalError("something unrelated")
    full.sqlite_errorcode = 13  # type: ignore[attr-defined]
    full.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    err = classify(full, tmp_path / "c.mcase")
    assert err is not None and err.kind == "full"
    # A message that merely mentions a full disk but carries a bug's code is a bug.
    bug = sqlite3.OperationalError("database or disk is full")
    bug.sqlite_errorcode = 1  # type: ignore[attr-defined]
    bug.sqlite_errorname = "SQLITE_ERROR"  # type: ignore[attr-defined]
    assert classify(bug, tmp_path / "c.mcase") is None
    assert classify(sqlite3.IntegrityError("UNIQUE constraint failed"), tmp_path) is None
    assert classify(OSError(28, "No space left on device"), tmp_path).kind == "full"  # type: ignore[union-attr]


def test_a_syntax_error_is_not_hidden_as_an_environment_error(tmp_path: Path) -> None:
    case_path = tmp_path / "ev.mcase"
    Case.open(case_path).close()
    conn = open_reader(case_path)
    try:
        with pytest.raises(sqlite3.OperationalError) as info:
            conn.execute("SELEKT 1")
        assert not isinstance(info.value, StorageError)
    finally:
        conn.close()
