"""Opening a case never modifies a file that is not one; a read-only case still works."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgcopy_viewer.store.case import Case, CaseError
from tests.integration.vendor import sms_event, write


def _fingerprint(path: Path) -> tuple[str, int, list[str]]:
    siblings = sorted(p.name for p in path.parent.iterdir())
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, siblings


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "msgcopy_viewer", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _other_app_db(path: Path, *, wal: bool) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE contacts(name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ann', '+12145550100')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_another_applications_database_is_refused_untouched(tmp_path: Path, wal: bool) -> None:
    other = _other_app_db(tmp_path / "contacts.db", wal=wal)
    before = _fingerprint(other)
    with pytest.raises(CaseError, match="not a msgcopy-viewer case"):
        Case.open(other)
    assert _fingerprint(other) == before
    for args in (
        ("ledger", "--case", str(other)),
        ("export", "--case", str(other), "--format", "jsonl"),
        ("import", str(tmp_path / "nothing-here"), "--case", str(other)),
    ):
        proc = _cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert _fingerprint(other) == before


def test_a_damaged_file_is_refused_untouched(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.mcase"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = _fingerprint(damaged)
    with pytest.raises(CaseError):
        Case.open(damaged)
    proc = _cli("ledger", "--case", str(damaged))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert _fingerprint(damaged) == before


def test_a_special_file_is_not_opened_as_a_case(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mcase"
    os.mkfifo(fifo)
    with pytest.raises(CaseError, match="not a regular file"):
        Case.open(fifo)


@pytest.fixture
def readonly_medium(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs that is remounted read-only by the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root")
    disk = tmp_path / "medium"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)]).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_case_on_read_only_media_is_browsed_listed_and_exported(
    tmp_path: Path, readonly_medium: Path
) -> None:
    src = tmp_path / "src"
    for i in range(3):
        write(src / f"{i}.json", sms_event(f"hello {i}", start=f"2024-09-16T19:3{i}:00.000Z"))
    case_path = readonly_medium / "ev.mcase"
    assert _cli("import", str(src), "--case", str(case_path)).returncode == 0
    assert subprocess.run(["mount", "-o", "remount,ro", str(readonly_medium)]).returncode == 0
    before = _fingerprint(case_path)

    with Case.open(case_path) as case:
        assert case.readonly
        assert "cannot be written" in case.readonly_reason
        assert case.counts()["messages"] == 3

    ledger = _cli("ledger", "--case", str(case_path))
    assert ledger.returncode == 0, ledger.stderr
    export = _cli("export", "--case", str(case_path), "--format", "jsonl")
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 3
    media = _cli("extract-media", "--case", str(case_path), "-o", str(tmp_path / "media"))
    assert media.returncode == 0, media.stderr
    refused = _cli("import", str(src), "--case", str(case_path))
    assert refused.returncode == 2
    assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
    assert _fingerprint(case_path) == before
