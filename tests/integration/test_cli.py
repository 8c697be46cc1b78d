"""The command line as a user runs it: exit codes, messages, JSON, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from msgcopy_viewer import __version__
from msgcopy_viewer.cli import main
from tests.integration.test_import import assert_consistent
from tests.integration.vendor import document, sms_event, write


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    import PySide6
    from PySide6.QtCore import qVersion

    code, out, _ = run(capsys, "--version")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"msgcopy-viewer {__version__}"
    assert __version__ == version("msgcopy-viewer")  # one source: the package metadata
    assert lines[1] == f"Qt {qVersion()}"
    assert lines[2] == f"PySide6 {PySide6.__version__}"
    assert lines[3].startswith(f"Python {platform.python_version()} (")


def test_version_loads_no_widgets_and_needs_no_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    code = (
        "import sys\n"
        "from msgcopy_viewer.cli import main\n"
        "rc = main(['--version'])\n"
        "assert 'PySide6.QtWidgets' not in sys.modules and 'PySide6.QtGui' not in sys.modules\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("msgcopy-viewer ") and "\nQt 6." in result.stdout
    assert result.stderr == ""


def test_import_json_summary_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "corpus"
    write(src / "uk" / "a.json", sms_event("hello"))
    (src / "bad.json").write_text("nope")
    (src / ".DS_Store").write_bytes(b"x")
    case = tmp_path / "c.mcase"
    code, out, err = run(capsys, "import", str(src), "--case", str(case), "--json")
    assert code == 1, err
    summary = json.loads(out)
    assert summary == {
        "case": str(case.resolve()),
        "batch": 1,
        "status": "completed",
        "files_seen": 3,
        "files_imported": 1,
        "messages_imported": 1,
        "duplicates": 0,
        "duplicate_events": 0,
        "rejected": [
            {"path": "bad.json", "reason": "not JSON (Expecting value at line 1 column 1)"}
        ],
        "skipped": [{"path": ".DS_Store", "reason": "operating-system metadata file"}],
        "missing": [],
    }
    (src / "bad.json").unlink()
    code, out, _ = run(capsys, "import", str(src), "--case", str(case), "--json")
    assert code == 0 and json.loads(out)["duplicates"] == 1


def test_human_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.json", sms_event())
    code, out, _ = run(
        capsys, "import", str(tmp_path / "a.json"), "--case", str(tmp_path / "c.mcase")
    )
    assert code == 0
    assert "1 file seen: 1 imported, 0 duplicate, 0 rejected, 0 skipped; 1 new message" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["import", "/definitely/not/here"], "nothing to import"),
        (["export", "--format", "jsonl"], "no case at"),
        (["export", "--format", "xml"], "invalid choice"),
        (["import"], "the following arguments are required"),
        (["frobnicate-nothing"], "frobnicate-nothing: no such file or folder"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    args: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        *args,
        *(
            ["--data-dir", str(tmp_path)]
            if args[0] in ("import", "export") and len(args) > 1
            else []
        ),
    )
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_unusable_case_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.json", sms_event())
    not_case = tmp_path / "notes.mcase"
    not_case.write_text("these are my notes")
    code, _, err = run(capsys, "import", str(tmp_path / "a.json"), "--case", str(not_case))
    assert code == 2 and "is not a msgcopy-viewer case" in err and "Traceback" not in err
    assert not_case.read_text() == "these are my notes"
    newer = tmp_path / "newer.mcase"
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.execute("PRAGMA application_id = 1296253782")
    con.execute("CREATE TABLE t(x)")
    con.close()
    code, _, err = run(capsys, "export", "--case", str(newer), "--format", "csv")
    assert code == 2 and "newer msgcopy-viewer" in err


def test_default_case_lives_in_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "in" / "a.json", sms_event())
    data = tmp_path / "data"
    code, out, _ = run(capsys, "import", str(tmp_path / "in"), "--data-dir", str(data), "--json")
    assert code == 0
    assert json.loads(out)["case"] == str(data / "default.mcase")
    code, out, _ = run(capsys, "export", "--data-dir", str(data), "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 1


def test_jsonl_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "corpus"
    write(
        src / "uk" / "b.json",
        sms_event(
            "later", direction="mt", start="2024-09-16T20:42:31.055+0000", other="+1 (214) 555-5273"
        ),
    )
    write(src / "uk" / "a.json", sms_event("This is SMS one 😀."))
    write(
        src / "c.json",
        sms_event(
            "Your parcel", direction="mt", other="AMAZON", start="2024-09-16T11:00:00.000-0800"
        ),
    )
    case = tmp_path / "c.mcase"
    assert run(capsys, "import", str(src), "--case", str(case))[0] == 0
    code, out, _ = run(capsys, "export", "--case", str(case), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in rows] == ["Your parcel", "This is SMS one 😀.", "later"]
    first = rows[1]
    assert first["source"]["path"] == "uk/a.json" and first["source"]["index"] == 0
    assert len(first["source"]["sha256"]) == 64
    assert first["start_time"] == "2024-09-16T19:30:39.090Z"
    assert first["start_time_raw"] == "2024-09-16T19:30:39.090+0000"
    assert first["subscriber"] == {
        "domain": "software.tango-networks",
        "mobile": "19465559040",
        "did": "19465559040",
        "subr_id": "s021157",
    }
    assert first["conversation"]["participants"] == ["+12145555273"]
    assert rows[2]["conversation"]["id"] == first["conversation"]["id"]
    assert rows[2]["other_party"] == "+1 (214) 555-5273"
    assert rows[0]["conversation"]["participants"] == ["AMAZON"]
    assert rows[0]["start_time"] == "2024-09-16T19:00:00.000Z"
    assert first["mms"] is None and first["warnings"] == []
    assert set(first) >= {
        "id",
        "source",
        "direction",
        "type",
        "start_time",
        "start_time_raw",
        "subscriber",
        "other_party",
        "content_type",
        "text",
        "conversation",
        "mms",
        "warnings",
    }
    # ids are stable across re-imports into another case
    case2 = tmp_path / "c2.mcase"
    run(capsys, "import", str(src), "--case", str(case2))
    _, out2, _ = run(capsys, "export", "--case", str(case2), "--format", "jsonl")
    assert [json.loads(x)["id"] for x in out2.splitlines()] == [r["id"] for r in rows]


def test_csv_vendor_columns_and_quoting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path / "in" / "a.json",
        sms_event('This is a a "SMS termination" message.,\nline 2', direction="mt"),
    )
    case = tmp_path / "c.mcase"
    run(capsys, "import", str(tmp_path / "in"), "--case", str(case))
    out_file = tmp_path / "out.csv"
    code, _, err = run(
        capsys, "export", "--case", str(case), "--format", "csv", "-o", str(out_file)
    )
    assert code == 0, err
    raw = out_file.read_bytes()
    assert raw.startswith(
        b"date,direction,extendmobile,otherparty,message,type,conversation,"
        b"source_path,source_sha256,kind,tags,examiner_note,bookmarked,names\r\n"
    )
    assert b'"This is a a ""SMS termination"" message.,\nline 2"' in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[1][:5] == [
        "2024-09-16T19:30:39.090+0000",
        "mt",
        "19465559040",
        "12145555273",
        'This is a a "SMS termination" message.,\nline 2',
    ]
    assert rows[1][5] == "sms" and rows[1][7] == "a.json"
    assert rows[1][9:] == ["message", "", "", "no", ""]


def test_export_to_missing_folder_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.json", sms_event())
    case = tmp_path / "c.mcase"
    run(capsys, "import", str(tmp_path / "a.json"), "--case", str(case))
    code, _, err = run(
        capsys,
        "export",
        "--case",
        str(case),
        "--format",
        "jsonl",
        "-o",
        str(tmp_path / "no" / "such" / "x.jsonl"),
    )
    assert code == 2 and "does not exist" in err


def test_demo_data_round_trip_with_mms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from msgcopy_viewer.demo.generator import generate_demo

    out = tmp_path / "demo"
    summary = generate_demo(out, messages=250, seed=3)
    case = tmp_path / "c.mcase"
    code, _, _ = run(capsys, "import", str(out), "--case", str(case), "--json")
    assert code == 1  # the demo corpus has deliberately malformed files
    code, jsonl, _ = run(capsys, "export", "--case", str(case), "--format", "jsonl")
    rows = {r["source"]["path"]: r for r in map(json.loads, jsonl.splitlines())}
    mms_files = [f for f in summary.files if f.kind == "mms" and f.mms is not None]
    assert mms_files
    for f in mms_files:
        row = rows[f.relpath]
        assert f.mms is not None
        mms = row["mms"]
        assert mms["subject"] == f.mms.subject
        assert row["text"] == f.mms.text
        assert [(p["content_type"], p["sha256"], p["size"]) for p in mms["parts"]] == [
            (a.content_type, a.sha256, a.size) for a in f.mms.attachments
        ]
        assert len(mms["slides"]) == f.mms.slide_count
        assert sorted(c["name"] for c in mms["contacts"]) == sorted(f.mms.contact_names)
        expected = {p for p in [f.mms.sender, *f.mms.to, *f.mms.cc, *f.mms.bcc]}
        subscriber = "+" + row["subscriber"]["mobile"]
        assert set(row["conversation"]["participants"]) == {
            p if p.startswith("+") else "+" + p for p in expected
        } - {subscriber}

    media = tmp_path / "media"
    code, _, err = run(capsys, "extract-media", "--case", str(case), "-o", str(media))
    assert code == 0, err
    check = subprocess.run(
        ["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=media, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with open(media / "manifest.csv", encoding="utf-8", newline="") as fh:
        manifest = list(csv.DictReader(fh))
    expected_parts = sum(
        1
        for f in mms_files
        for a in f.mms.attachments  # type: ignore[union-attr]
        if a.content_type != "application/smil"
    )
    assert len(manifest) == expected_parts
    assert {m["source_path"] for m in manifest} <= set(rows)
    code, _, err = run(capsys, "extract-media", "--case", str(case), "-o", str(media))
    assert code == 2 and "not an empty folder" in err


def _zip_corpus(path: Path, n: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(
                f"m/{i:05d}.json",
                document(
                    sms_event(
                        f"message {i}",
                        start=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                        other=f"214555{i % 1000:04d}",
                    )
                ),
            )


def test_kill_mid_import_then_resume(tmp_path: Path) -> None:
    n = 12000
    corpus = tmp_path / "big.zip"
    _zip_corpus(corpus, n)
    case = tmp_path / "c.mcase"
    cmd = [
        sys.executable,
        "-m",
        "msgcopy_viewer",
        "import",
        str(corpus),
        "--case",
        str(case),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    committed = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if case.exists():
                try:
                    con = sqlite3.connect(f"file:{case}?mode=ro", uri=True, timeout=0.2)
                    committed = con.execute("SELECT count(*) FROM messages").fetchone()[0]
                    con.close()
                except sqlite3.Error:
                    committed = 0
                if committed:
                    break
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    partial = assert_consistent(case)
    assert 0 < partial <= n
    resume = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resume.returncode == 0, resume.stderr
    assert assert_consistent(case) == n
    con = sqlite3.connect(case)
    statuses = [r[0] for r in con.execute("SELECT status FROM import_batches ORDER BY id")]
    con.close()
    if partial < n:
        assert statuses == ["interrupted", "completed"]


def test_ledger_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "in" / "a.json", sms_event())
    (tmp_path / "in" / "b.json").write_text("[]")
    case = tmp_path / "c.mcase"
    run(capsys, "import", str(tmp_path / "in"), "--case", str(case))
    code, out, _ = run(capsys, "ledger", "--case", str(case), "--json")
    assert code == 0
    ledger = json.loads(out)
    assert ledger["batch"] == 1 and ledger["status"] == "completed"
    assert [(f["path"], f["outcome"]) for f in ledger["files"]] == [
        ("a.json", "imported"),
        ("b.json", "rejected"),
    ]
    code, out, _ = run(capsys, "ledger", "--case", str(case))
    assert "rejected   b.json  (not a Message Copy document (no smsEvent list))" in out
    code, _, err = run(capsys, "ledger", "--case", str(case), "--batch", "7")
    assert code == 2 and "no import batch 7" in err
    assert ledger["reason"] is None


def test_ledger_says_why_a_failed_import_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "in" / "a.json", sms_event())
    case = tmp_path / "c.mcase"
    run(capsys, "import", str(tmp_path / "in"), "--case", str(case))
    con = sqlite3.connect(case)
    with con:
        con.execute("UPDATE import_batches SET status = 'failed', reason = 'The disk is full.'")
    con.close()
    code, out, _ = run(capsys, "ledger", "--case", str(case))
    assert code == 0
    assert out.splitlines()[:2] == [
        "import batch 1 (failed): 1 file",
        "stopped: The disk is full.",
    ]
    code, out, _ = run(capsys, "ledger", "--case", str(case), "--json")
    assert json.loads(out)["reason"] == "The disk is full."


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "help")
    assert code == 0
    for sub in ("import", "export", "extract-media", "ledger", "demo-data"):
        assert sub in out


def test_demo_data_refuses_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "demo-data", str(tmp_path / "x"), "--messages", "20")
    assert code == 2 and "not empty" in err
    code, out, _ = run(capsys, "demo-data", str(tmp_path / "y"), "--messages", "40", "--seed", "2")
    assert code == 0 and "wrote" in out
    assert any((tmp_path / "y").iterdir())


def test_extract_media_keeps_hostile_names_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

    parts = [
        Mm7Part("text/plain", b"see attached", "t1", name="../../x.sh", charset="utf-8"),
        Mm7Part("image/png", b"\x89PNG\r\n\x1a\nfake", "i1", name="/etc/passwd"),
        Mm7Part("application/octet-stream", b"MZ", "b1", name="CON"),
    ]
    message, ctype = build_mm7(
        direction="mt",
        sender="+12145555273",
        to=["+19465559040"],
        subject="hi",
        timestamp=datetime(2024, 9, 16, 19, 30, tzinfo=UTC),
        smil=None,
        parts=parts,
        token="ab12",
        transaction_id="tx1",
    )
    ev = sms_event(message, direction="mt", messageType="mms", messageContentType=ctype)
    write(tmp_path / "in" / "mms.json", ev)
    case = tmp_path / "c.mcase"
    assert run(capsys, "import", str(tmp_path / "in"), "--case", str(case))[0] == 0
    out = tmp_path / "media"
    code, _, err = run(capsys, "extract-media", "--case", str(case), "-o", str(out))
    assert code == 0, err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    names = [w.split("/", 1)[1] for w in written if "/" in w]
    assert names == ["0-x.sh", "1-passwd.png", "2-_CON.bin"]
    assert not (tmp_path / "x.sh").exists()
    check = subprocess.run(
        ["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=out, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_to_a_reader_that_stops_early_is_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """``export … | head -1``: the reader closing the pipe ends the export quietly (exit
    0, nothing on stderr), and a full disk is one line naming standard output."""
    from msgcopy_viewer.demo.generator import generate_demo

    generate_demo(tmp_path / "demo", messages=400, seed=5)
    case = tmp_path / "c.mcase"
    assert main(["import", str(tmp_path / "demo"), "--case", str(case)]) in (0, 1)
    capsys.readouterr()
    cmd = [sys.executable, "-m", "msgcopy_viewer", "export", "--case", str(case), "--format", fmt]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()  # like head -1
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, err
    assert err == ""
    if Path("/dev/full").exists():
        with open("/dev/full", "wb") as full:
            done = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
        assert done.returncode == 2
        assert done.stderr.strip().startswith("msgcopy-viewer: cannot write to standard output")
        assert "Traceback" not in done.stderr
