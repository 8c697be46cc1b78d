"""The workbench on the command line: tag, tags, names, audit, export --tagged."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from tests.gui.helpers_browse import BIG_OTHER, browse_case, browse_master

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


def test_tag_note_and_export_exactly_the_tagged(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    c = str(browse_case)
    ids = _ids(browse_case, 5)
    code, out, err = run(
        capsys, "tag", *ids[:3], "--tag", "Relevant", "--note", "seen", "--case", c,
        "--examiner", "E. Xaminer",
    )  # fmt: skip
    assert code == 0, err
    assert "Relevant: given to 3 of 3 messages" in out and "note set on 3 messages" in out
    code, out, err = run(capsys, "tag", ids[0], "--tag", "relevant", "--remove", "--case", c)
    assert code == 0 and "taken from 1 of 1" in out
    code, out, _ = run(capsys, "tags", "--case", c, "--json")
    assert code == 0
    assert {t["name"]: t["messages"] for t in json.loads(out)} == {
        "Relevant": 2,
        "Privileged": 0,
        "Follow up": 0,
    }
    dest = tmp_path / "tagged.jsonl"
    code, _out, err = run(
        capsys, "export", "--case", c, "--format", "jsonl", "--tagged", "Relevant", "-o", str(dest)
    )
    assert code == 0, err
    lines = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert sorted(o["id"] for o in lines) == sorted(ids[1:3])
    assert all(o["tags"] == ["Relevant"] and o["note"] == "seen" for o in lines)
    assert all(o["format_version"] == 1 and o["bookmarked"] is False for o in lines)
    code, out, _ = run(capsys, "export", "--case", c, "--format", "csv", "--tagged", "Relevant")
    assert code == 0 and len(out.strip().splitlines()) == 3
    code, out, _ = run(capsys, "audit", "--case", c, "--json")
    log = json.loads(out)
    assert [e["action"] for e in log] == ["tag.add"] * 3 + ["note.set"] * 3 + ["tag.remove"]
    assert {e["examiner"] for e in log[:6]} == {"E. Xaminer"}
    assert log[-1]["examiner"]  # the saved name or the login name: never empty


def test_tag_errors_are_one_line_and_change_nothing(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = str(browse_case)
    ids = _ids(browse_case, 2)
    code, _out, err = run(capsys, "tag", ids[0], "--tag", "Nope", "--case", c)
    assert code == 2 and err.count("\n") == 1 and "no tag 'Nope'" in err
    code, _out, err = run(capsys, "tag", ids[0], "deadbeef", "--tag", "Relevant", "--case", c)
    assert code == 2 and "no message deadbeef" in err
    code, _out, err = run(capsys, "tag", ids[0], "--case", c)
    assert code == 2 and "say what to do" in err
    code, _out, err = run(capsys, "export", "--case", c, "--format", "jsonl", "--tagged", "Nope")
    assert code == 2 and "no tag" in err
    code, out, _ = run(capsys, "audit", "--case", c)
    assert code == 0 and out == ""


def test_tag_reads_ids_from_stdin_and_bookmarks(
    browse_case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _ids(browse_case, 4)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(ids) + "\n"))
    code, out, err = run(capsys, "tag", "-", "--bookmark", "--case", str(browse_case))
    assert code == 0 and "bookmarked 4 of 4" in out, err


def test_tags_add_and_delete(browse_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = str(browse_case)
    code, out, err = run(capsys, "tags", "--case", c, "--add", "Alibi", "--color", "#112233")
    assert code == 0 and "Alibi       #112233  0 messages" in out, err
    code, _out, err = run(capsys, "tags", "--case", c, "--add", "X", "--color", "blue")
    assert code == 2 and "#rrggbb" in err
    code, out, _ = run(capsys, "tags", "--case", c, "--delete", "alibi")
    assert code == 0 and "Alibi" not in out


def test_names_import_csv_and_list(
    browse_case: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "book.csv"
    national = f"({BIG_OTHER[1:4]}) {BIG_OTHER[4:7]}-{BIG_OTHER[7:]}"
    book.write_text(f"number,name\n{national},Alice Big\nnonsense\n", encoding="utf-8")
    c = str(browse_case)
    code, out, err = run(capsys, "names", "import", str(book), "--case", c)
    assert code == 0, err
    assert "1 names added" in out and "skipped: line 3" in err
    code, out, _ = run(capsys, "names", "list", "--case", c, "--json")
    assert json.loads(out) == [
        {
            "number": "+" + BIG_OTHER,
            "name": "Alice Big",
            "written": national,
            "source": "file",
            "origin": "book.csv",
        }
    ]
    code, out, _ = run(capsys, "export", "--case", c, "--format", "jsonl")
    objs = [json.loads(line) for line in out.splitlines()]
    named = [o for o in objs if o["other_party"] == BIG_OTHER]
    assert named and all(
        o["names"] == {BIG_OTHER: "Alice Big", "+" + BIG_OTHER: "Alice Big"} for o in named
    )
    code, _out, err = run(capsys, "names", "import", str(tmp_path / "missing.csv"), "--case", c)
    assert code == 2 and "no such file" in err
    code, _out, err = run(capsys, "names", "import", str(book), "--case", c, "--region", "XX")
    assert code == 2 and "not a country code" in err


def test_a_note_cannot_forge_lines_in_the_audit_listing(
    browse_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = str(browse_case)
    (mid,) = _ids(browse_case, 1)
    forged = "fine\n2024-01-01T00:00:00.000Z  Someone  tag.remove  message:x  Relevant → ∅"
    code, _out, err = run(capsys, "tag", mid, "--note", forged, "--case", c)
    assert code == 0, err
    code, out, _ = run(capsys, "audit", "--case", c)
    assert code == 0
    assert len(out.splitlines()) == 1 and "fine\\n2024" in out
