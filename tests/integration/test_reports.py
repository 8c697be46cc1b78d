"""Reports as a user makes them from the command line: selection, XLSX, HTML, PDF, bundle,
redaction and verify."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.demo.generator import generate_demo
from tests.integration.vendor import sms_event, write

INJECTION = '<img src=x onerror=alert(1)> <script>alert("x")</script> " onmouseover="x'
SPOOF = "invoice\u202egpj.exe"
FORMULA = "=1+1"
HYPERLINK = '=HYPERLINK("http://example.invalid","click")'
NUMBERS = ("12145555273", "19465559040", "14695550111")
SCRIPTS = "नमस्ते 你好 こんにちは 안녕하세요 Привет مرحبا שלום 😀"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("corpus")
    generate_demo(src / "demo", messages=60, seed=3)
    write(src / "hostile" / "a.json", sms_event(INJECTION, start="2024-03-01T10:00:00.000+0000"))
    write(
        src / "hostile" / "b.json",
        sms_event(SPOOF, direction="mt", start="2024-03-01T23:30:00.000+0000"),
    )
    write(src / "hostile" / "c.json", sms_event(FORMULA, start="2024-03-02T09:00:00.000+0000"))
    write(
        src / "hostile" / "d.json",
        sms_event(
            HYPERLINK, other="14695550111", direction="mt", start="2024-03-02T10:00:00.000+0000"
        ),
    )
    write(
        src / "scripts" / "e.json",
        sms_event(SCRIPTS, mobile="447700900123", other="447700900456",
                  start="2024-04-01T08:00:00.000+0000"),
    )  # fmt: skip
    return src


@pytest.fixture(scope="module")
def case_file(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("case") / "c.mcase"
    assert main(["import", str(corpus), "--case", str(path)]) in (0, 1)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(capsys: pytest.CaptureFixture[str], case: Path, *sel: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "export", "--case", str(case), "--format", "jsonl", *sel)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


# -- selection ---------------------------------------------------------------------------------


def test_selection_narrows_every_way(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    everything = jsonl(capsys, case_file)
    hostile = [r for r in everything if r["source"]["path"].startswith("hostile/")]  # type: ignore[index]
    assert len(hostile) == 4
    # a date range in a zone: 2024-03-01 in Chicago is 06:00Z on the 1st to 06:00Z on the 2nd
    got = jsonl(
        capsys, case_file, "--from", "2024-03-01", "--to", "2024-03-01", "--tz", "America/Chicago"
    )
    assert sorted(r["text"] for r in got) == sorted([INJECTION, SPOOF])
    got = jsonl(capsys, case_file, "--from", "2024-03-01", "--to", "2024-03-01")
    assert sorted(r["text"] for r in got) == sorted([INJECTION, SPOOF])
    got = jsonl(capsys, case_file, "--from", "2024-03-02", "--to", "2024-03-02", "--tz", "UTC")
    assert sorted(r["text"] for r in got) == sorted([FORMULA, HYPERLINK])
    # a subscriber, typed as people type it
    got = jsonl(capsys, case_file, "--subscriber", "+1 (946) 555-9040")
    assert {r["subscriber"]["mobile"] for r in got} == {"19465559040"}  # type: ignore[index]
    assert len(got) == 4
    # a conversation
    conv = hostile[0]["conversation"]["id"]  # type: ignore[index]
    got = jsonl(capsys, case_file, "--conversation", str(conv))
    assert got and all(r["conversation"]["id"] == conv for r in got)  # type: ignore[index]
    # a search query, the app's search
    got = jsonl(capsys, case_file, "--query", "onerror")
    assert [r["text"] for r in got] == [INJECTION]
    # explicit ids, combined with a query that matches only one of them
    ids = [str(r["id"]) for r in hostile[:2]]
    got = jsonl(capsys, case_file, "--message", ids[0], "--message", ids[1])
    assert [r["id"] for r in got] == ids
    got = jsonl(capsys, case_file, "--message", ids[0], "--message", ids[1], "--query", "gpj*")
    assert [r["text"] for r in got] == [SPOOF]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--tz", "Mars/Olympus"), "unknown time zone"),
        (("--from", "yesterday"), "cannot read the date"),
        (("--from", "2024-03-02", "--to", "2024-03-01"), "the date range is empty"),
        (("--subscriber", "15550000000"), "no subscriber 15550000000"),
        (("--conversation", "nope"), "no conversation nope"),
        (("--message", "0123456789abcdef01234567"), "no message 0123456789abcdef01234567"),
    ],
)
def test_selection_errors_are_one_line(
    case_file: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    code, out, err = run(capsys, "export", "--case", str(case_file), "--format", "csv", *args)
    assert code == 2 and out == ""
    assert says in err and "Traceback" not in err


# -- XLSX --------------------------------------------------------------------------------------


def test_xlsx_cells_are_text(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "xlsx", "-o", str(out)
    )
    assert code == 0, err
    ws = load_workbook(out)["messages"]
    header = [c.value for c in ws[1]]
    assert header[:9] == [
        "date", "direction", "extendmobile", "otherparty", "message",
        "type", "conversation", "source_path", "source_sha256",
    ]  # fmt: skip
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].value == "=1+1"
    assert cells[HYPERLINK].data_type == "s"
    assert cells["12145555273"].data_type == "s"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(jsonl(capsys, case_file))


def test_xlsx_continues_on_new_sheets(
    case_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    from msgcopy_viewer.export import xlsx_export
    from msgcopy_viewer.export.selection import Selection, resolve
    from msgcopy_viewer.store.case import Case

    monkeypatch.setattr(xlsx_export, "ROWS_PER_SHEET", 3)
    out = tmp_path / "s.xlsx"
    with Case.open(case_file, create=False, readonly=True) as case:
        sel = resolve(case.conn, Selection(subscriber="19465559040"))
        assert xlsx_export.write_xlsx(case, sel, out) == 4
    wb = load_workbook(out)
    assert wb.sheetnames == ["messages", "messages (2)"]
    texts = [r[4] for ws in wb for r in ws.iter_rows(min_row=2, values_only=True)]
    assert texts == [INJECTION, SPOOF, FORMULA, HYPERLINK]
    assert wb["messages (2)"].freeze_panes == "A2"
    assert wb["messages (2)"].auto_filter.ref == "A1:O2"  # 10 columns, 4 of the examiner, note


# -- HTML --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.handlers: list[str] = []
        self.scripts = 0
        self.links: list[str] = []
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in ("href", "src") and value:
                self.links.append(value)
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.csp = dict(attrs).get("content") or ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_html_escapes_everything_and_runs_nothing(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "html"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "html", "-o", str(out),
        "--tz", "Europe/London", "--page-size", "7",
    )  # fmt: skip
    assert code == 0, err
    pages = sorted(out.glob("*.html"))
    assert (out / "index.html") in pages and len(pages) > 3
    shown = ""
    for path in pages:
        raw = path.read_text(encoding="utf-8")
        page = _parse(path)
        assert page.handlers == [] and page.scripts == 0, path.name
        assert "default-src 'none'" in page.csp and "script-src" not in page.csp
        assert "<img src=x" not in raw and "<script>" not in raw
        for link in page.links:  # every link stays inside the report and exists
            assert "://" not in link and not link.startswith("/")
            assert (path.parent / link).exists(), (path.name, link)
        shown += "".join(page.text)
    assert INJECTION in shown  # shown as the characters it is
    assert "invoice⟦U+202E⟧gpj.exe" in shown and "\u202e" not in shown
    assert "Times in UTC and Europe/London" in shown
    assert "2024-03-01T10:00:00.000Z" in shown and "2024-03-01 10:00:00 GMT" in shown
    # MMS: images from the media folder, sha256sum-checkable
    media = out / "media"
    assert any(media.rglob("*.jpg")) or any(media.rglob("*.png")) or any(media.rglob("*.gif"))
    for line in (media / "manifest.sha256").read_text().splitlines():
        digest, rel = line.split("  ", 1)
        import hashlib

        assert hashlib.sha256((media / rel).read_bytes()).hexdigest() == digest


def test_html_index_continues_on_pages(
    case_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from msgcopy_viewer.export import html_report

    monkeypatch.setattr(html_report, "INDEX_SIZE", 4)
    out = tmp_path / "html"
    assert (
        run(capsys, "export", "--case", str(case_file), "--format", "html", "-o", str(out))[0] == 0
    )
    convs = sorted(out.glob("c*-p0001.html"))
    n_index = -(-len(convs) // 4)
    assert n_index > 2
    names = ["index.html"] + [f"index-{k:04d}.html" for k in range(2, n_index + 1)]
    assert sorted(p.name for p in out.glob("index*.html")) == sorted(names)
    listed: list[str] = []
    for name in names:
        page = _parse(out / name)
        assert set(names) <= set(page.links)  # every index page links every other one
        listed += [link for link in page.links if re.fullmatch(r"c\d{4}-p0001\.html", link)]
    assert listed == [p.name for p in convs]
    fifth = _parse(out / "c0005-p0001.html")
    assert "index-0002.html" in fifth.links and "index.html" not in fifth.links


# -- PDF ---------------------------------------------------------------------------------------


def test_pdf_pages_header_footer_and_text(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "t.pdf"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "pdf", "-o", str(out),
        "--subscriber", "19465559040", "--tz", "America/Chicago",
    )  # fmt: skip
    assert code == 0, err
    reader = PdfReader(out)
    n = len(reader.pages)
    assert n >= 2
    text = ""
    for i, page in enumerate(reader.pages, start=1):
        t = " ".join(page.extract_text().split())
        assert "Case: c.mcase" in t and "subscriber 19465559040" in t, i
        assert "Times in UTC and America/Chicago" in t
        assert f"Page {i} of {n}" in t and "msgcopy-viewer" in t
        text += t
    assert "=1+1" in text and "onerror=alert(1)" in text
    assert "invoice⟦U+202E⟧gpj.exe" in text.replace(" ", "")
    assert "2024-03-01 04:00:00 CST" in text
    assert re.search(r"SHA-256 [0-9a-f]{64}", text)  # hashes are copied as they are


def test_pdf_embeds_fonts_for_every_script(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "s.pdf"
    code, _, err = run(capsys, "export", "--case", str(case_file), "--format", "pdf", "-o",
                       str(out), "--subscriber", "447700900123")  # fmt: skip
    assert code == 0, err
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for sample in ("你好", "こんにちは", "안녕하세요", "Привет"):
        assert sample in text
    fonts = set()
    for f in (reader.pages[0]["/Resources"].get("/Font") or {}).values():
        font = f.get_object()
        fonts.add(str(font.get("/BaseFont")))
        descendants = font.get("/DescendantFonts")
        for d in descendants.get_object() if descendants else []:
            descriptor = d.get_object().get("/FontDescriptor")
            assert descriptor is None or any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ), f"{font.get('/BaseFont')} is not embedded"
    assert any("CJK" in f for f in fonts) and any("Devanagari" in f for f in fonts), fonts


# -- bundle and verify ---------------------------------------------------------------------


def test_bundle_verifies_and_catches_changes(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "bundle", "-o", str(out),
        "--examiner", "A. Examiner", "--from", "2024-01-01",
    )  # fmt: skip
    assert code == 0, err
    for name in ("messages.jsonl", "messages.csv", "messages.xlsx", "transcript.pdf",
                 "html/index.html", "media/manifest.sha256", "case-report.json"):  # fmt: skip
        assert (out / name).is_file(), name
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no temporary folder left
    report = json.loads((out / "case-report.json").read_text())
    assert report["examiner"] == "A. Examiner" and report["tool"]["name"] == "msgcopy-viewer"
    assert len(report["case"]["sha256"]) == 64
    assert report["selection"]["from"] == "2024-01-01"
    batch = report["import_batches"][0]
    assert batch["ledger"]["files_rejected"] == len(batch["rejected_files"]) > 0
    assert batch["ledger"]["files_imported"] > 0 and batch["ledger"]["new_messages"] > 0
    assert batch["sources"]
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=out)
        assert check.returncode == 0
    assert run(capsys, "verify", "--bundle", str(out))[0] == 0

    page = out / "html" / "index.html"
    data = page.read_bytes()
    page.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    code, stdout, _ = run(capsys, "verify", "--bundle", str(out))
    assert code == 1 and "html/index.html: changed" in stdout
    page.write_bytes(data)
    (out / "media" / "extra.txt").write_text("x")
    code, stdout, _ = run(capsys, "verify", "--bundle", str(out))
    assert code == 1 and "media/extra.txt: added" in stdout
    (out / "media" / "extra.txt").unlink()
    (out / "messages.csv").unlink()
    code, stdout, _ = run(capsys, "verify", "--bundle", str(out))
    assert code == 1 and stdout.strip() == "messages.csv: missing"


def test_bundle_examiner_comes_from_the_settings(
    qapp: object,
    case_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    _private_data_dir: Path,
) -> None:
    from msgcopy_viewer.ui.settings import AppSettings

    AppSettings(_private_data_dir / "config").set_text("report/examiner", "Doe, Zoë")
    out = tmp_path / "b"
    code, _, err = run(capsys, "export", "--case", str(case_file), "--format", "bundle",
                       "-o", str(out), "--message", "0" * 24)  # fmt: skip
    assert code == 2 and "no message" in err and not out.exists()
    code, _, err = run(capsys, "export", "--case", str(case_file), "--format", "bundle",
                       "-o", str(out), "--subscriber", "447700900123")  # fmt: skip
    assert code == 0, err
    assert json.loads((out / "case-report.json").read_text())["examiner"] == "Doe, Zoë"


def _all_text(root: Path) -> str:
    """Everything a reader could get out of the output: names, text, inside XLSX and PDF."""
    from pypdf import PdfReader

    chunks: list[str] = []
    for path in root.rglob("*"):
        chunks.append(str(path.relative_to(root)))
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                chunks.extend(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        elif path.suffix == ".pdf":
            reader = PdfReader(io.BytesIO(data))
            chunks.extend(p.extract_text() for p in reader.pages)
            chunks.append(str(reader.metadata))
        else:
            chunks.append(data.decode("utf-8", "replace"))
    return "\n".join(chunks)


def test_redaction_leaves_no_full_number_or_text(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "redacted"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "bundle", "-o", str(out),
        "--redact", "both", "--subscriber", "19465559040",
    )  # fmt: skip
    assert code == 0, err
    text = _all_text(out)
    digits_only = re.sub(r"[\s().\-]", "", text)
    for number in NUMBERS:
        assert number not in digits_only and number[1:] not in digits_only, number
    for evidence in (INJECTION, "onerror", "gpj.exe", "HYPERLINK"):
        assert evidence not in text, evidence
    assert "5273" in text and "[redacted: " in text
    report = json.loads((out / "case-report.json").read_text())
    assert report["redaction"]["mode"] == "both" and report["redaction"]["what"]
    assert report["selection"]["subscriber"] == "•••••••9040"
    assert run(capsys, "verify", "--bundle", str(out))[0] == 0


def test_redaction_of_numbers_reaches_demo_mms(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "html"
    assert run(capsys, "export", "--case", str(case_file), "--format", "html", "-o", str(out),
               "--redact", "numbers")[0] == 0  # fmt: skip
    rows = jsonl(capsys, case_file)
    numbers = {re.sub(r"\D", "", str(r["other_party"])) for r in rows}
    numbers |= {re.sub(r"\D", "", str(r["subscriber"]["mobile"])) for r in rows}  # type: ignore[index]
    numbers = {n for n in numbers if len(n) >= 7}
    assert numbers
    digits_only = re.sub(r"[\s().\-+]", "", _all_text(out))
    for number in numbers:
        assert number not in digits_only, number


def test_verify_case_catches_tampering(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    shutil.copytree(corpus / "hostile", src)
    case = tmp_path / "v.mcase"
    assert run(capsys, "import", str(src), "--case", str(case))[0] == 0
    code, out, err = run(capsys, "verify", "--case", str(case), "--sources", str(src))
    assert code == 0 and out == ""
    assert "verified: 8 stored events, MMS parts and source files match" in err
    # a changed source file
    (src / "c.json").write_bytes((src / "c.json").read_bytes().replace(b"=1+1", b"=1+2"))
    code, out, _ = run(capsys, "verify", "--case", str(case), "--sources", str(src))
    assert code == 1 and out.startswith("c.json: SHA-256 differs")
    (src / "d.json").unlink()
    code, out, _ = run(capsys, "verify", "--case", str(case), "--sources", str(src))
    assert code == 1 and "d.json: missing" in out
    # a tampered stored event (the source files are not needed to see it)
    with sqlite3.connect(case) as conn:
        conn.execute(
            "UPDATE messages SET raw_event = replace(raw_event, '=1+1', '=1+3') WHERE text = '=1+1'"
        )
    conn.close()
    code, out, _ = run(capsys, "verify", "--case", str(case))
    assert code == 1
    assert out.startswith("c.json [event 0]: message ") and "does not match its fingerprint" in out


def test_verify_case_catches_changed_media(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "m.mcase"
    for suffix in ("", "-wal"):
        if Path(f"{case_file}{suffix}").exists():
            shutil.copyfile(f"{case_file}{suffix}", f"{case}{suffix}")
    code, out, _ = run(capsys, "verify", "--case", str(case))
    assert code == 0 and out == "", out
    with sqlite3.connect(case) as conn:
        sha = conn.execute(
            "SELECT sha256 FROM media WHERE sha256 IN (SELECT sha256 FROM mms_parts) LIMIT 1"
        ).fetchone()[0]
        data = bytearray(
            conn.execute("SELECT data FROM media WHERE sha256 = ?", (sha,)).fetchone()[0]
        )
        data[len(data) // 2] ^= 1
        conn.execute("UPDATE media SET data = ? WHERE sha256 = ?", (bytes(data), sha))
    conn.close()
    code, out, _ = run(capsys, "verify", "--case", str(case))
    assert code == 1 and f"does not match its SHA-256 {sha}" in out
    with sqlite3.connect(case) as conn:  # the blob becomes text: still a plain difference
        conn.execute("UPDATE media SET data = data || x'00' WHERE sha256 = ?", (sha,))
    conn.close()
    code, out, err = run(capsys, "verify", "--case", str(case))
    assert code == 1 and "Traceback" not in err
    assert f"does not match its SHA-256 {sha}" in out or "cannot be read" in out
