"""Hostile and careless use of the workbench from the command line: every request has one
outcome, and a refused one changes nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.store.annotations import MAX_NOTE
from tests.gui.helpers_browse import browse_case, browse_master

__all__ = ["browse_case", "browse_master"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _ids(case: Path, n: int) -> list[str]:
    con = sqlite3.connect(case)
    try:
        return [r[0] for r in con.execute("SELECT id FROM messages ORDER BY rowid LIMIT ?", (n,))]
    finally:
        con.close()


def _annotation_rows(case: Path) -> dict[str, int]:
    con = sqlite3.connect(case)
    try:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("message_tags", "notes", "bookmarks", "audit_log")
        }
    finally:
        con.close()


def test_a_refused_note_leaves_the_tag_and_bookmark_of_the_same_command_undone(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = str(browse_case)
    ids = _ids(browse_case, 3)
    before = _annotation_rows(browse_case)
    code, out, err = run(
        capsys, "tag", *ids, "--tag", "Relevant", "--bookmark", "--note", "x" * (MAX_NOTE + 1),
        "--case", c,
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and f"at most {MAX_NOTE}" in err
    assert out == ""  # nothing claims a change that was not made
    assert _annotation_rows(browse_case) == before
    code, out, err = run(
        capsys, "tag", *ids, "--tag", "Relevant", "--bookmark", "--note", "seen", "--case", c
    )
    assert code == 0, err
    assert "given to 3 of 3" in out and "note set on 3" in out and "bookmarked 3 of 3" in out
    code, out, _ = run(capsys, "audit", "--case", c, "--json")
    assert [e["action"] for e in json.loads(out)] == (
        ["tag.add"] * 3 + ["note.set"] * 3 + ["bookmark.add"] * 3
    )


def test_tag_on_a_read_only_case_is_refused_in_one_line(
    browse_case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("msgcopy_viewer.store.case._writable", lambda path: False)
    ids = _ids(browse_case, 1)
    before = _annotation_rows(browse_case)
    code, out, err = run(capsys, "tag", *ids, "--tag", "Relevant", "--case", str(browse_case))
    assert code == 2 and out == "" and err.count("\n") == 1 and "read-only" in err
    assert _annotation_rows(browse_case) == before


def test_names_import_refuses_a_huge_file_without_reading_it(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import tracemalloc

    from msgcopy_viewer.core.address_book import MAX_BYTES

    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as fh:  # sparse: costs no disk
        fh.write(b"number,name\n")
        fh.truncate(MAX_BYTES * 10)
    tracemalloc.start()
    try:
        code, out, err = run(capsys, "names", "import", str(huge), "--case", str(browse_case))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2 and out == "" and "larger than" in err
    assert peak < MAX_BYTES // 2  # the file was never read into memory


def test_names_import_of_a_pipe_says_so_and_does_not_wait_for_a_writer(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os

    from msgcopy_viewer.core.address_book import AddressBookError
    from msgcopy_viewer.store.names import read_names_file

    fifo = tmp_path / "names.csv"
    os.mkfifo(fifo)
    with pytest.raises(AddressBookError, match="not a regular file"):
        read_names_file(fifo)  # what File ▸ Import Names… reads a chosen file with
    code, out, err = run(capsys, "names", "import", str(fifo), "--case", str(browse_case))
    assert code == 2 and out == "" and "not a regular file" in err


def test_a_number_given_two_different_names_gets_neither_and_is_reported(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(
        "number,name\n(214) 555-0142,Ann Lee\n+1 214 555 0142,Bob Roe\n"
        "+12145550143,Cy Dee\n214-555-0143,Cy Dee\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "names", "import", str(book), "--case", str(browse_case), "--region", "US"
    )
    assert code == 0, err
    assert "1 names added" in out
    assert "+12145550142" in err and "Ann Lee" in err and "Bob Roe" in err
    code, out, _ = run(capsys, "names", "list", "--case", str(browse_case), "--json")
    assert {e["number"]: e["name"] for e in json.loads(out)} == {"+12145550143": "Cy Dee"}


def test_a_name_of_only_invisible_or_control_characters_is_no_name(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(
        "number,name\n+12145550142,\u200b\u200b\n+12145550143,\u202e\x07\n"
        "+12145550144,Dee \u200bRoe\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "names", "import", str(book), "--case", str(browse_case))
    assert code == 0, err
    assert "1 names added" in out
    assert err.count("cannot be empty") == 2
    code, out, _ = run(capsys, "names", "list", "--case", str(browse_case), "--json")
    assert {e["number"]: e["name"] for e in json.loads(out)} == {"+12145550144": "Dee Roe"}


def test_tags_add_and_delete_in_one_command_is_all_or_nothing(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = str(browse_case)
    code, out, err = run(capsys, "tags", "--add", "Alibi", "--delete", "Nope", "--case", c)
    assert code == 2 and out == "" and err.count("\n") == 1 and "no tag 'Nope'" in err
    code, out, _ = run(capsys, "tags", "--case", c, "--json")
    assert "Alibi" not in {t["name"] for t in json.loads(out)}
    code, out, err = run(capsys, "tags", "--add", "Alibi", "--delete", "Follow up", "--case", c)
    assert code == 0, err
    assert "added the tag Alibi" in err and "deleted the tag Follow up" in err
    assert [t["name"] for t in json.loads(run(capsys, "tags", "--case", c, "--json")[1])] == [
        "Relevant",
        "Privileged",
        "Alibi",
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_names_import_reads_a_csv_saved_as_unicode_text(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str
) -> None:
    book = tmp_path / "book.csv"
    text = "number,name\n+12145550101,Zoë Ünal\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte-order mark, as spreadsheet programs write
    book.write_bytes(data)
    code, out, err = run(capsys, "names", "import", str(book), "--case", str(browse_case))
    assert code == 0 and err == "" and "1 names added" in out, err
    code, out, _ = run(capsys, "names", "list", "--case", str(browse_case), "--json")
    assert [(e["number"], e["name"]) for e in json.loads(out)] == [("+12145550101", "Zoë Ünal")]


def test_names_import_of_a_binary_file_says_it_is_not_text(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "photo.csv"
    book.write_bytes(bytes(range(256)) * 40)
    code, out, err = run(capsys, "names", "import", str(book), "--case", str(browse_case))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "photo.csv is not a text file" in err and "universal-newline" not in err


def test_the_audit_log_names_the_examiner_saved_by_the_app_as_the_reports_do(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (data / "config").mkdir(parents=True)
    # what Qt's INI writer stores for the name "@Ann \ O'Neil" (Edit ▸ Examiner Name…)
    (data / "config" / "msgcopy-viewer.ini").write_text(
        "[report]\nexaminer=@@Ann \\\\ O'Neil\n", encoding="utf-8"
    )
    ids = _ids(browse_case, 1)
    c = str(browse_case)
    code, _, err = run(capsys, "--data-dir", str(data), "tag", *ids, "--bookmark", "--case", c)
    assert code == 0, err
    code, out, _ = run(capsys, "audit", "--case", c, "--json")
    assert json.loads(out)[-1]["examiner"] == "@Ann \\ O'Neil"
    # one reader of the saved name, for the app's own uses too
    from msgcopy_viewer.examiner import examiner_name, saved_examiner

    assert saved_examiner(data) == examiner_name(None, data) == "@Ann \\ O'Neil"


def test_a_tag_name_written_decomposed_is_the_same_tag(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = str(browse_case)
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"  # both read "Café"
    code, _, err = run(capsys, "tags", "--add", decomposed, "--case", c)
    assert code == 0, err
    code, _, err = run(capsys, "tags", "--add", composed, "--case", c)
    assert code == 2 and "already has a tag" in err
    ids = _ids(browse_case, 1)
    code, out, err = run(capsys, "tag", *ids, "--tag", composed, "--case", c)
    assert code == 0 and "given to 1 of 1" in out, err
    code, out, _ = run(capsys, "tags", "--case", c, "--json")
    named = [t for t in json.loads(out) if t["name"].startswith("Caf")]
    assert named == [{"name": composed, "color": "#3d8bd9", "messages": 1, "conversations": 0}]


def _many_audit_rows(case: Path, n: int, start: int = 0) -> None:
    con = sqlite3.connect(case)
    try:
        with con:
            con.executemany(
                "INSERT INTO audit_log(at_ms, examiner, action, target, before, after) "
                "VALUES (?, 'E. Xaminer', 'note.set', ?, NULL, ?)",
                (
                    (1_700_000_000_000 + i, f"message:{i:024x}", f"note {i} " * 8)
                    for i in range(start, start + n)
                ),
            )
    finally:
        con.close()


_PEAK = """
import gc, json, os, sys, tracemalloc
from msgcopy_viewer.cli import main
warm, measured = json.loads(sys.argv[1])
sys.stdout = open(os.devnull, "w", encoding="utf-8")
assert main(warm) == 0  # modules, fonts, Qt: loaded before measuring
gc.collect()
tracemalloc.start()
code = main(measured)
peak = tracemalloc.get_traced_memory()[1]
sys.__stdout__.write(f"{code} {peak}\\n")
"""


def _peak(warm: list[str], measured: list[str]) -> int:
    """Peak Python memory of ``msgcopy-viewer MEASURED`` (which must succeed) in a process
    of its own (no other test's threads), after ``WARM`` ran in it."""
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, json.dumps([warm, measured])],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stderr
    code, peak = proc.stdout.split()
    assert code == "0", proc.stderr
    return int(peak)


# A log ten times longer may cost at most this much more memory (holding it whole cost
# about 0.8 KB an entry: 15 MB more for 18,000 more entries)
GROWTH = 3 << 20


@pytest.mark.parametrize("as_json", [False, True])
def test_audit_prints_a_long_log_in_bounded_memory(
    browse_case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, as_json: bool
) -> None:
    args = ["audit", "--case", str(browse_case), *(["--json"] if as_json else [])]
    _many_audit_rows(browse_case, 2_000)
    short = _peak(args, args)
    _many_audit_rows(browse_case, 18_000, start=2_000)
    long = _peak(args, args)
    assert long - short < GROWTH
    out = tmp_path / "audit.out"
    with open(out, "w", encoding="utf-8") as fh:
        monkeypatch.setattr("sys.stdout", fh)
        assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    if as_json:
        log = json.loads(text)
        assert len(log) == 20_000 and log[-1]["after"] == "note 19999 " * 8
    else:
        assert len(text.splitlines()) == 20_000


def test_a_bundle_writes_a_long_audit_log_in_bounded_memory(
    qapp: object, browse_case: Path, tmp_path: Path
) -> None:
    ids = _ids(browse_case, 1)
    out = tmp_path / "bundle"
    args = ["export", "--case", str(browse_case), "--format", "bundle", "--message", ids[0]]
    _many_audit_rows(browse_case, 2_000)
    short = _peak([*args, "-o", str(tmp_path / "w1")], [*args, "-o", str(tmp_path / "short")])
    _many_audit_rows(browse_case, 18_000, start=2_000)
    long = _peak([*args, "-o", str(tmp_path / "w2")], [*args, "-o", str(out)])
    assert long - short < GROWTH
    report = json.loads((out / "case-report.json").read_text(encoding="utf-8"))
    assert len(report["audit_log"]) == 20_000
    assert report["audit_log"][-1]["after"] == "note 19999 " * 8
    assert main(["verify", "--bundle", str(out)]) == 0


def test_a_report_reads_a_big_address_book_in_bounded_memory(
    qapp: object, browse_case: Path, tmp_path: Path
) -> None:
    from tests.gui.helpers_browse import BIG_OTHER

    con = sqlite3.connect(browse_case)
    try:
        mid = con.execute(
            "SELECT id FROM messages WHERE other_party = ? LIMIT 1", (BIG_OTHER,)
        ).fetchone()[0]
    finally:
        con.close()
    args = ["export", "--case", str(browse_case), "--format", "bundle", "--message", mid]
    short = _peak([*args, "-o", str(tmp_path / "w1")], [*args, "-o", str(tmp_path / "short")])
    con = sqlite3.connect(browse_case)
    try:
        with con:
            con.executemany(
                "INSERT INTO names(key, name, number, source, origin, added_ms) "
                "VALUES (?, ?, ?, 'file', 'book.csv', 0)",
                ((f"+1999{i:07d}", f"Person {i} " * 4, f"1999{i:07d}") for i in range(30_000)),
            )
            con.execute(
                "INSERT INTO names(key, name, number, source, origin, added_ms) "
                "VALUES (?, 'Alice Big', ?, 'file', 'book.csv', 0)",
                ("+" + BIG_OTHER, BIG_OTHER),
            )
    finally:
        con.close()
    out = tmp_path / "bundle"
    long = _peak([*args, "-o", str(tmp_path / "w2")], [*args, "-o", str(out)])
    assert long - short < GROWTH  # the whole book in memory: 13 MB more
    line = json.loads((out / "messages.jsonl").read_text(encoding="utf-8"))
    assert line["names"][BIG_OTHER] == "Alice Big"
    assert "Alice Big (" in (out / "messages.csv").read_text(encoding="utf-8")


def test_an_examiner_name_is_bounded_and_visible(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from msgcopy_viewer.store.annotations import MAX_EXAMINER

    ids = _ids(browse_case, 3)
    c = str(browse_case)
    before = _annotation_rows(browse_case)
    for who in ("E" * (MAX_EXAMINER + 1), "Eve\u202eevE", "Eve\x1b[2J"):
        code, out, err = run(capsys, "tag", *ids, "--bookmark", "--case", c, "--examiner", who)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert "examiner name" in err
    assert _annotation_rows(browse_case) == before
    code, _, err = run(capsys, "tag", *ids, "--bookmark", "--case", c, "--examiner", "Zoë Ünal")
    assert code == 0, err
