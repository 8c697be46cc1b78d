"""Reports on a full disk (a file size limit, ``RLIMIT_FSIZE``): one plain line, exit 2,
nothing left behind; and finished report files get the permissions of any new file."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.annotations import tag_messages
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import iter_messages
from tests.integration.vendor import sms_event, write


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fs")
    for i in range(400):
        write(
            root / "src" / f"{i:04d}.json",
            sms_event(
                f"message {i} " + hashlib.sha512(str(i).encode()).hexdigest() * 3,
                other=f"1214555{i % 20:04d}",
                start=f"2024-03-01T{i // 60:02d}:{i % 60:02d}:00.000+0000",
            ),
        )
    path = root / "c.mcase"
    Importer(path, workers=1).run([root / "src"])
    with Case.open(path) as case:
        rowids = [m.rowid for m in iter_messages(case.conn)]
        tag_messages(case, rowids, "Relevant", examiner="E. Xaminer")
    return path


# room for the case's shared-memory index (32 KB), not for the report
FSIZE = 64 * 1024


def _cli(*args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        os.umask(0o022)
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


@pytest.mark.parametrize("fmt", ["pdf", "tagged-pdf", "xlsx"])
def test_a_report_file_that_cannot_be_written_whole_is_an_error_and_leaves_nothing(
    case_file: Path, tmp_path: Path, fmt: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"report.{'xlsx' if fmt == 'xlsx' else 'pdf'}"
    proc = _cli("export", "--case", str(case_file), "--format", fmt, "-o", str(out), fsize=FSIZE)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert str(out.name) in lines[0]
    assert list(out_dir.iterdir()) == []  # no half-written file, no temporary file


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_a_report_file_gets_the_permissions_of_any_new_file(
    case_file: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    proc = _cli("export", "--case", str(case_file), "--format", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_mode & 0o777 == 0o644  # umask 022, as a CSV export gets
