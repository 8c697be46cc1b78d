"""The CLI as people type it, and its text output under hostile names (rule 6)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.case import Case
from tests.hostile.builders import document, event, ledger


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def case(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_bytes(document(event()))
    path = tmp_path / "ev.mcase"
    Importer(path, workers=1).run([tmp_path / "in"])
    return path


def test_global_options_before_the_subcommand(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--case", str(case), "ledger")
    assert code == 0, err
    assert "imported   a.json" in out
    code, out, _ = run(capsys, "-v", f"--case={case}", "export", "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 1
    data = tmp_path / "data"
    code, out, _ = run(capsys, "--data-dir", str(data), "import", str(tmp_path / "in"), "--json")
    assert code == 0 and json.loads(out)["case"] == str(data / "default.mcase")
    # after the subcommand, as before, and the later one wins
    code, out, _ = run(capsys, "--case", "/nowhere.mcase", "ledger", "--case", str(case))
    assert code == 0


def test_help_subcommand_prints_that_subcommands_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "help", "import")
    assert code == 0 and "usage: msgcopy-viewer import" in out and "--max-file-size" in out
    code, _, err = run(capsys, "help", "frobnicate")
    assert code == 2 and "no help for 'frobnicate'" in err


@pytest.mark.parametrize("sub", ["ledger", "export", "extract-media"])
def test_read_only_commands_neither_promise_nor_create_a_case(
    sub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "help", sub)
    assert code == 0 and "created if missing" not in out
    missing = tmp_path / "new.mcase"
    args = {"ledger": [], "export": ["--format", "csv"], "extract-media": ["-o", "m"]}[sub]
    code, _, err = run(capsys, "--case", str(missing), sub, *args)
    assert code == 2 and "no case at" in err
    assert not missing.exists()


def test_export_refuses_to_overwrite_without_force(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("keep me")
    code, _, err = run(capsys, "export", "--case", str(case), "--format", "csv", "-o", str(out))
    assert code == 2 and "--force" in err and out.read_text() == "keep me"
    code, _, _ = run(
        capsys, "export", "--case", str(case), "--format", "csv", "-o", str(out), "--force"
    )
    assert code == 0 and out.read_text().startswith("date,")


def test_exported_files_get_the_umask_permissions(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "out.jsonl"
        assert (
            run(capsys, "export", "--case", str(case), "--format", "jsonl", "-o", str(out))[0] == 0
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_missing_path_beside_good_ones_is_reported_as_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_bytes(document(event()))
    c = tmp_path / "c.mcase"
    code, out, err = run(
        capsys, "import", str(tmp_path / "a.json"), str(tmp_path / "gone.json"), "--case", str(c)
    )
    assert code == 1
    assert "gone.json: no such file or folder (not imported)" in err
    assert "rejected:" not in out and "missing: " in out
    assert [row[0] for row in ledger(c)] == ["a.json"]  # not a ledger entry
    code, out, _ = run(
        capsys, "import", str(tmp_path / "a.json"), str(tmp_path / "gone.json"),
        "--case", str(c), "--json",
    )  # fmt: skip
    summary = json.loads(out)
    assert summary["missing"] == [str(tmp_path / "gone.json")] and summary["rejected"] == []


def test_text_output_cannot_be_forged_by_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "x\nrejected: innocent.json").write_bytes(b"not json")
    (src / "\x1b[2Jevil\u202egpj.json").write_bytes(b"not json either")
    c = tmp_path / "c.mcase"
    code, out, _ = run(capsys, "import", str(src), "--case", str(c))
    assert code == 1
    lines = out.splitlines()
    assert sum(line.startswith("rejected: ") for line in lines) == 2
    assert "rejected: x\\nrejected: innocent.json: not JSON" in out
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[2Jevil\\u202egpj.json" in out
    code, out, _ = run(capsys, "ledger", "--case", str(c))
    assert len(out.splitlines()) == 3 and "\x1b" not in out


def test_ctrl_c_ends_the_batch_as_interrupted(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(20):
        (src / f"{i:02}.json").write_bytes(document(event(str(i))))

    def progress(_p: object) -> None:
        raise KeyboardInterrupt

    c = tmp_path / "c.mcase"
    with pytest.raises(KeyboardInterrupt):
        Importer(c, workers=1, progress=progress).run([src])
    with Case.open(c, create=False) as case:
        status = case.conn.execute("SELECT status FROM import_batches").fetchone()[0]
    assert status == "interrupted"


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_kill_with_sigterm_ends_the_same_way_with_exit_143(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(20):
        (src / f"{i:02}.json").write_bytes(document(event(str(i))))
    c = tmp_path / "c.mcase"
    script = (
        "import os, signal, sys\n"
        "from msgcopy_viewer import cli\n"
        "from msgcopy_viewer.ingest import pipeline\n"
        "real = pipeline.Importer._report_progress\n"
        "def stop(self, *a):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(self, *a)\n"
        "pipeline.Importer._report_progress = stop\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "import", str(src), "--case", str(c), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 143, proc.stderr
    assert "stopped (SIGTERM)" in proc.stderr and "Traceback" not in proc.stderr
    with Case.open(c, create=False) as case:
        status = case.conn.execute("SELECT status FROM import_batches").fetchone()[0]
    assert status == "interrupted"
