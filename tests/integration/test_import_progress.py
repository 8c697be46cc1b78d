"""Import progress for folders: bytes and time left are known from the first report."""

from __future__ import annotations

import io
from pathlib import Path

from msgcopy_viewer.cli import _ProgressBar
from msgcopy_viewer.ingest import scanner
from msgcopy_viewer.ingest.pipeline import Importer, ImportProgress
from tests.integration.vendor import sms_event, write


def _folder(root: Path, n: int = 40) -> Path:
    for i in range(n):
        # a long text makes each file ~20 kB, so MB figures are not all 0.0
        write(
            root / ("sub" if i % 3 == 0 else "") / f"{i:04d}.json",
            sms_event(
                f"message {i} " + "x" * 20_000,
                start=f"2024-09-01T10:{i // 60:02d}:{i % 60:02d}.000Z",
            ),
        )
    (root / ".DS_Store").write_bytes(b"\0" * 5000)  # junk: skipped, adds no bytes
    return root


def _sizes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.json"))


def test_count_sizes_the_files_of_a_folder(tmp_path: Path) -> None:
    src = _folder(tmp_path / "src")
    files, total = scanner.count([src])
    assert files == 41
    assert total == _sizes(src) > 0


def test_folder_import_reports_the_whole_size_from_the_first_report(tmp_path: Path) -> None:
    src = _folder(tmp_path / "src")
    seen: list[ImportProgress] = []
    Importer(tmp_path / "x.mcase", workers=1, progress=seen.append).run([src])
    total = _sizes(src)
    assert len(seen) >= 1
    assert all(p.bytes_total == total for p in seen), [p.bytes_total for p in seen]
    assert seen[-1].bytes_done == total


def test_seconds_left_counts_bytes_not_yet_read() -> None:
    p = ImportProgress(46, 100, 2_000_000, 4_000_000, 0, 2.0, "a.json")
    assert p.seconds_left() == 2.0
    assert ImportProgress(0, 100, 0, 4_000_000, 0, 0.1, "").seconds_left() is None


def test_cli_progress_bar_shows_total_megabytes_and_time_left(tmp_path: Path) -> None:
    src = _folder(tmp_path / "src")
    out = io.StringIO()
    bar = _ProgressBar(out)
    total_mb = _sizes(src) / 1e6
    bar(ImportProgress(10, 41, 200_000, _sizes(src), 3, 1.0, "a.json"))
    line = out.getvalue()
    assert f"0.2/{total_mb:.1f} MB" in line
    assert " s left" in line
    out.truncate(0)
    Importer(tmp_path / "x.mcase", workers=1, progress=_ProgressBar(out)).run([src])
    assert f"/{total_mb:.1f} MB" in out.getvalue()
