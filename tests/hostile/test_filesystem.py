"""Rules 1-3 on disk: names, links, special files, deep trees, the size limit."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ingest import pipeline, scanner
from msgcopy_viewer.ingest.scanner import ScanLimits, escape_name, name_bytes
from tests.hostile.builders import document, event, ledger, run_import, write_bytes

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file names and special files")


@posix_only
def test_names_that_are_not_utf8_are_kept_byte_exact_and_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = os.fsencode(tmp_path / "in")
    os.mkdir(src)
    os.mkdir(src + b"/f\xe9")  # a Latin-1 folder name
    write_bytes(src + b"/f\xe9/caf\xe9 \\ x.json", document(event("one")))
    write_bytes(src + b"/ok.json", document(event("two")))
    case = tmp_path / "c.mcase"
    report = run_import(case, tmp_path / "in")
    assert report.files_imported == 2
    paths = [row[0] for row in ledger(case)]
    assert paths == ["f\\xe9/caf\\xe9 \\\\ x.json", "ok.json"]
    assert name_bytes(paths[0]) == b"f\xe9/caf\xe9 \\ x.json"  # byte-exact
    assert main(["ledger", "--case", str(case)]) == 0
    assert "f\\xe9/caf\\xe9" in capsys.readouterr().out


def test_escape_name_round_trips() -> None:
    for raw in (b"plain.json", b"a\\b", b"\\x41", b"caf\xc3\xa9", b"\xff\xfe", b"x\\\xff"):
        name = os.fsdecode(raw) if os.name == "posix" else raw.decode("utf-8", "replace")
        text = escape_name(name)
        text.encode("utf-8")  # storable
        if os.name == "posix":
            assert name_bytes(text) == raw


@posix_only
def test_special_files_are_skipped_without_being_opened(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    os.mkfifo(src / "pipe.json")  # opening it for reading would wait for a writer forever
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(src / "sock.json"))
        (src / "ok.json").write_bytes(document(event()))
        case = tmp_path / "c.mcase"
        run_import(case, src, "/dev/null")
    rows = {row[0]: row for row in ledger(case)}
    assert rows["pipe.json"][1] == "skipped" and "FIFO" in str(rows["pipe.json"][2])
    assert rows["sock.json"][1] == "skipped" and "socket" in str(rows["sock.json"][2])
    assert rows["null"][1] == "skipped" and "device" in str(rows["null"][2])
    assert rows["ok.json"][1] == "imported"


@posix_only
def test_a_file_replaced_by_a_fifo_after_the_scan_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "late.json"
    os.mkfifo(fifo)
    result = pipeline._read_and_analyze((str(fifo), None, 1 << 20))
    assert isinstance(result, str) and "not a regular file" in result


@posix_only
def test_links_are_never_followed_and_are_recorded_with_their_target(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_bytes(document(event("from outside")))
    src = tmp_path / "in"
    src.mkdir()
    (src / "evidence.json").symlink_to(outside / "secret.json")
    (src / "folder").symlink_to(outside)
    (src / "proc").symlink_to("/proc/self")
    (src / "dangling.json").symlink_to(tmp_path / "nowhere")
    (src / "ok.json").write_bytes(document(event()))
    case = tmp_path / "c.mcase"
    report = run_import(case, src)
    assert report.messages_imported == 1
    rows = {row[0]: row for row in ledger(case)}
    for name, target in (
        ("evidence.json", outside / "secret.json"),
        ("folder", outside),
        ("proc", "/proc/self"),
        ("dangling.json", tmp_path / "nowhere"),
    ):
        assert rows[name][1] == "skipped", rows[name]
        assert f"symbolic link to {target}" in str(rows[name][2])


@posix_only
def test_a_link_named_on_the_command_line_is_read_and_recorded_as_the_real_file(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(document(event()))
    link = tmp_path / "typed.json"
    link.symlink_to(real)
    case = tmp_path / "c.mcase"
    run_import(case, link)
    [(path, outcome, _reason, root)] = ledger(case)
    assert (outcome, path, root) == ("imported", "real.json", str(tmp_path))


def test_folder_trees_of_any_depth_are_walked_without_recursion(tmp_path: Path) -> None:
    folder = str(tmp_path / "in")
    os.mkdir(folder)
    for _ in range(1200):  # deeper than Python's recursion limit
        folder += "/d"
        os.mkdir(folder)
    Path(folder, "a.json").write_bytes(document(event()))
    case = tmp_path / "c.mcase"
    try:
        report = run_import(case, tmp_path / "in")
        assert report.files_imported == 1
        assert scanner.count([tmp_path / "in"])[0] == 1
    finally:
        # Removed bottom-up here: shutil.rmtree recurses once per level, and pytest's
        # clean-up of old temporary folders would hit the recursion limit on this tree
        # (leaving scandir iterators open, a ResourceWarning at exit).
        os.unlink(os.path.join(folder, "a.json"))
        top = str(tmp_path / "in")
        while True:
            os.rmdir(folder)
            if folder == top:
                break
            folder = os.path.dirname(folder)


def test_files_over_the_size_limit_are_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "in" / "big.json"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.truncate(200 << 20)  # sparse: 200 MB that reading whole would take time and memory
    (tmp_path / "in" / "ok.json").write_bytes(document(event()))
    case = tmp_path / "c.mcase"
    report = run_import(case, tmp_path / "in", limits=ScanLimits(max_file_bytes=64 << 20))
    rows = {row[0]: row for row in ledger(case)}
    assert rows["big.json"][1] == "rejected"
    assert "larger than the size limit" in str(rows["big.json"][2])
    assert report.files_imported == 1
    # named directly, it is refused from its size alone
    run_import(case, big, limits=ScanLimits(max_file_bytes=1 << 20))
    assert "--max-file-size" in str(ledger(case)[-1][2])


def test_size_limit_holds_for_a_file_that_grows_while_read(tmp_path: Path) -> None:
    path = tmp_path / "grows.json"
    path.write_bytes(b"x" * 100)
    result = pipeline._read_and_analyze((str(path), None, 10))
    assert isinstance(result, str) and "larger than the size limit" in result
