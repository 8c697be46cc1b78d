"""`verify --bundle` against a tamperer who knows the manifest format: links in place of
files or folders, a manifest listing a file twice, a bundle missing its case report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ingest.pipeline import Importer
from tests.integration.vendor import sms_event, write


@pytest.fixture(scope="module")
def bundle(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vb")
    write(root / "src" / "a.json", sms_event("hello", start="2024-03-01T10:00:00.000+0000"))
    case = root / "c.mcase"
    Importer(case, workers=1).run([root / "src"])
    out = root / "bundle"
    assert main(["export", "--case", str(case), "--format", "bundle", "-o", str(out)]) == 0
    return out


@pytest.fixture
def copy(bundle: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "b"
    shutil.copytree(bundle, dest)
    return dest


def verify(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--bundle", str(root)])
    return code, capsys.readouterr().out


def test_the_untouched_bundle_verifies(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(capsys, copy)[0] == 0


def test_a_link_to_a_folder_added_inside_the_bundle_is_found(
    copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "planted.txt").write_text("x")
    os.symlink(outside, copy / "media" / "more")
    code, out = verify(capsys, copy)
    assert code == 1 and "media/more: " in out and "link" in out


def test_a_file_replaced_by_a_link_to_the_same_bytes_is_found(
    copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keep = tmp_path / "elsewhere.csv"
    shutil.move(copy / "messages.csv", keep)
    os.symlink(keep, copy / "messages.csv")
    code, out = verify(capsys, copy)
    assert code == 1 and "messages.csv: " in out and "link" in out


def test_a_manifest_that_lists_a_file_twice_is_refused(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = copy / "manifest.sha256"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(f"{'0' * 64}  case-report.json\n" + text, encoding="utf-8")
    code, out = verify(capsys, copy)
    assert code == 1 and "case-report.json" in out and "twice" in out


def test_a_bundle_without_its_case_report_does_not_verify(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = copy / "manifest.sha256"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest.write_text("".join(x for x in lines if "case-report.json" not in x), "utf-8")
    (copy / "case-report.json").unlink()
    code, out = verify(capsys, copy)
    assert code == 1 and out.startswith("case-report.json: missing")


def test_digests_in_capitals_are_read_as_sha256sum_reads_them(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = copy / "manifest.sha256"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest.write_text(
        "".join(d.upper() + "  " + rest for d, rest in (x.split("  ", 1) for x in lines)),
        encoding="utf-8",
    )  # fmt: skip
    assert verify(capsys, copy)[0] == 0


def test_a_crafted_huge_manifest_is_read_in_bounded_memory(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tracemalloc

    manifest = copy / "manifest.sha256"
    good = manifest.read_bytes()
    with open(manifest, "wb") as fh:
        fh.write(good)
        fh.write(b"0" * 64 + b"  " + b"a" * (64 << 20) + b"\n")  # one line of 64 MB
        for n in range(20_000):  # and many lines naming files the bundle does not hold
            fh.write(b"0" * 64 + f"  planted/{n}.txt\n".encode())
    tracemalloc.start()
    try:
        code, out = verify(capsys, copy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1
    assert peak < 16 << 20
    lines = out.splitlines()
    assert any("is not readable" in x for x in lines)
    assert any("stopped reading" in x for x in lines) and len(lines) < 2_000
