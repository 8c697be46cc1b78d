"""Rules 1-2 for zip archives: damaged members, bad names, bombs, nesting, member counts."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from msgcopy_viewer.ingest import scanner
from msgcopy_viewer.ingest.scanner import ScanLimits
from tests.hostile.builders import (
    document,
    event,
    ledger,
    overlapping_zip,
    run_import,
    set_utf8_flag,
    zip_bytes,
)


def _outcomes(case: Path) -> dict[str, tuple[str, str | None]]:
    return {row[0]: (row[1], row[2]) for row in ledger(case)}


def test_a_corrupt_member_is_rejected_and_its_siblings_imported(tmp_path: Path) -> None:
    data = bytearray(
        zip_bytes({"a.json": document(event("a" * 2000)), "b.json": document(event("b"))})
    )
    at = data.find(b"a.json") + len("a.json") + 10
    data[at : at + 30] = b"\xff" * 30  # inside a.json's deflated data
    (tmp_path / "x.zip").write_bytes(bytes(data))
    case = tmp_path / "c.mcase"
    report = run_import(case, tmp_path / "x.zip")
    rows = _outcomes(case)
    assert rows["x.zip/a.json"][0] == "rejected"
    assert "cannot read zip member" in str(rows["x.zip/a.json"][1])
    assert rows["x.zip/b.json"][0] == "imported"
    assert report.status == "completed"


def test_member_names_falsely_flagged_utf8_fail_alone(tmp_path: Path) -> None:
    data = zip_bytes({"a__.json": document(event("a")), "b.json": document(event("b"))})
    data = set_utf8_flag(data.replace(b"a__.json", b"a\xff\xfe.json"))
    (tmp_path / "x.zip").write_bytes(data)
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "x.zip")
    rows = _outcomes(case)
    assert rows["x.zip/a\\xff\\xfe.json"][0] == "rejected"  # its exact bytes, escaped
    assert "not UTF-8" in str(rows["x.zip/a\\xff\\xfe.json"][1])
    assert rows["x.zip/b.json"][0] == "imported"


def test_odd_member_names_stay_inside_the_ledger(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("../../etc/evil.json", "/abs.json", "new\nline.json", "bidi\u202egpj.json"):
            zf.writestr(name, document(event(name)))
    (tmp_path / "x.zip").write_bytes(buf.getvalue())
    case = tmp_path / "c.mcase"
    report = run_import(case, tmp_path / "x.zip")
    assert report.files_imported == 4
    assert all(row[0].startswith("x.zip/") for row in ledger(case))


def test_overlapping_and_repeated_entries_are_refused_fast(tmp_path: Path) -> None:
    # 300 entries inflating the same 60 MB of zeros: 18 GB if each were inflated
    (tmp_path / "bomb.zip").write_bytes(overlapping_zip(300, 60 << 20))
    (tmp_path / "overlap.zip").write_bytes(overlapping_zip(3, 1000, same_name=False))
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "bomb.zip", tmp_path / "overlap.zip")
    rows = ledger(case)
    assert len(rows) == 303 and all(r[1] == "rejected" for r in rows)
    reasons = [str(r[2]) for r in rows]
    assert sum("repeated entry" in r for r in reasons) == 299
    assert "inflates" in reasons[0]  # the first: its ratio
    assert sum("overlapping entry" in r for r in reasons) == 2


def test_inflation_ratio_total_and_member_caps(tmp_path: Path) -> None:
    zeros = zip_bytes({"z.json": b"\x00" * (8 << 20)})  # about 1000:1
    (tmp_path / "ratio.zip").write_bytes(zeros)
    many = zip_bytes({f"m{i}.json": document(event(str(i))) for i in range(12)})
    (tmp_path / "many.zip").write_bytes(many)
    total = zip_bytes({f"t{i}.json": document(event("t" * 3000 + str(i))) for i in range(5)})
    (tmp_path / "total.zip").write_bytes(total)
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "ratio.zip")
    assert "inflates" in str(_outcomes(case)["ratio.zip/z.json"][1])
    run_import(case, tmp_path / "many.zip", limits=ScanLimits(max_zip_members=10))
    assert _outcomes(case)["many.zip"] == (
        "rejected",
        "archive refused: 12 members (the limit is 10)",
    )
    run_import(case, tmp_path / "total.zip", limits=ScanLimits(max_zip_total_bytes=7000))
    rows = [r for r in ledger(case) if r[0].startswith("total.zip/")]
    assert [r[1] for r in rows] == ["imported", "imported", "rejected", "rejected", "rejected"]
    assert "inflates to more than 7000 bytes" in str(rows[2][2])


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    data = zip_bytes({"deep.json": document(event("deep"))})
    for level in range(6):
        data = zip_bytes(
            {f"level{level}.zip": data, f"ok{level}.json": document(event(str(level)))}
        )
    (tmp_path / "nest.zip").write_bytes(data)
    case = tmp_path / "c.mcase"
    report = run_import(case, tmp_path / "nest.zip")
    rows = ledger(case)
    refused = [r for r in rows if r[1] == "rejected"]
    assert len(refused) == 1 and "nested more than 4 deep" in str(refused[0][2])
    assert report.files_imported == scanner.MAX_ZIP_DEPTH


def test_member_larger_than_the_file_limit_is_refused_unread(tmp_path: Path) -> None:
    data = zip_bytes({"big.json": b" " * (3 << 20), "ok.json": document(event())})
    (tmp_path / "x.zip").write_bytes(data)
    case = tmp_path / "c.mcase"
    run_import(case, tmp_path / "x.zip", limits=ScanLimits(max_file_bytes=1 << 20))
    rows = _outcomes(case)
    assert rows["x.zip/big.json"][0] == "rejected"
    assert "larger than the size limit" in str(rows["x.zip/big.json"][1])
    assert rows["x.zip/ok.json"][0] == "imported"


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_fifo_named_like_a_zip_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "trap.zip")
    assert scanner.count([tmp_path]) == (1, 0)
    case = tmp_path.parent / (tmp_path.name + ".mcase")
    run_import(case, tmp_path)
    assert ledger(case)[0][1] == "skipped"
