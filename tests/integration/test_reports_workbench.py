"""Reports carry the examiner's workbench: tags, notes, bookmarks and names (with their
numbers) in the HTML and PDF transcripts, CSV and XLSX; delivery and read reports as a
status line; the bundle's case report with the audit log; the tagged-items report."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import annotations as A
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import iter_messages
from msgcopy_viewer.store.names import set_names
from tests.gui.mms_helpers import mms_event
from tests.integration.test_reports import _parse
from tests.integration.vendor import sms_event, write
from tests.unit.test_fidelity import READ_REPLY

HOSTILE_TAG = '<b>Hot</b> "=1+1"'
NOTE = '<script>alert(1)</script>\n=HYPERLINK("http://example.invalid","x")'
NAME = "<i>Ann</i> =2+2"
WHO = "E. Xaminer"
SUB = "19465559040"
OTHER = "12145555273"


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wb")
    src = root / "src"
    write(
        src / "a.json",
        sms_event("first from Ann", direction="mt", start="2024-03-01T10:00:00.000+0000"),
    )
    write(src / "b.json", sms_event("reply to Ann", start="2024-03-01T10:05:00.000+0000"))
    write(
        src / "c.json",
        sms_event("untagged", other="14695550111", start="2024-03-02T09:00:00.000+0000"),
    )
    write(src / "d.json", mms_event(READ_REPLY, "text/xml", seconds=3))
    path = root / "c.mcase"
    Importer(path, workers=1).run([src])
    with Case.open(path) as case:
        by_text = {m.text: m for m in iter_messages(case.conn)}
        report = next(m for m in iter_messages(case.conn) if m.kind == "read_report")
        first, reply = by_text["first from Ann"], by_text["reply to Ann"]
        A.create_tag(case, HOSTILE_TAG, "#cc2200", examiner=WHO)
        A.tag_messages(case, [first.rowid, report.rowid], HOSTILE_TAG, examiner=WHO)
        A.tag_messages(case, [first.rowid, reply.rowid], "Relevant", examiner=WHO)
        A.set_note(case, first.rowid, NOTE, examiner=WHO)
        A.set_bookmarks(case, [reply.rowid], True, examiner=WHO)
        A.tag_conversation(case, first.conversation_id, HOSTILE_TAG, examiner=WHO)
        # a name for the number in another written form: it is found after normalisation
        set_names(case, [("(214) 555-5273", NAME)], source="examiner", origin=WHO, examiner=WHO)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _export(
    capsys: pytest.CaptureFixture[str], case: Path, fmt: str, out: Path, *more: str
) -> None:
    code, _, err = run(
        capsys, "export", "--case", str(case), "--format", fmt, "-o", str(out), *more
    )
    assert code == 0, err


def _html(root: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.html")))


# -- HTML --------------------------------------------------------------------------------------


def test_html_transcript_shows_tags_notes_bookmarks_and_names_escaped(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h"
    _export(capsys, case_file, "html", out)
    raw = _html(out)
    assert "<script>" not in raw and "<b>Hot" not in raw and "<i>Ann" not in raw
    assert '<span class="tag">&lt;b&gt;Hot&lt;/b&gt; &quot;=1+1&quot;</span>' in raw
    assert '<span class="tag">Relevant</span>' in raw
    assert "Note: &lt;script&gt;alert(1)&lt;/script&gt;\n=HYPERLINK(" in raw
    assert "★ Bookmarked" in raw
    # the conversation's own tags, on its pages and in the index
    chip = 'Conversation tags: <span class="tag">&lt;b&gt;Hot&lt;/b&gt; &quot;=1+1&quot;</span>'
    assert chip in (out / "index.html").read_text("utf-8")
    assert sum(chip in p.read_text("utf-8") for p in out.glob("c*.html")) == 1
    # the name is shown with the number (as the message shows it), never instead of it
    assert f"&lt;i&gt;Ann&lt;/i&gt; =2+2 (+{OTHER})" in raw
    text = " ".join("".join(_parse(p).text) for p in sorted(out.glob("*.html")))
    assert f"{NAME} (+{OTHER})" in text
    for page in out.glob("*.html"):
        parsed = _parse(page)
        assert parsed.scripts == 0 and not parsed.handlers
    # the read report is a status line, not a bubble
    article = re.search(r'<article class="msg status"[^>]*>.*?</article>', raw, re.S)
    assert article is not None
    assert "Read report: Read (Read by the user) · for message abc-123" in article.group()
    assert 'class="bubble"' not in article.group() and "<dd>read_report</dd>" in article.group()


def test_redacted_html_leaves_notes_and_names_out(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    _export(capsys, case_file, "html", out, "--redact", "numbers")
    raw = _html(out)
    assert "Ann</i>" not in raw and "&lt;i&gt;Ann" not in raw and "alert(1)" not in raw
    assert 'class="tag"' not in raw and "Bookmarked" not in raw
    assert "Conversation tags" not in raw
    assert "notes and names for numbers are left out" in raw
    assert "•••••••5273" in raw and OTHER not in raw


# -- CSV and XLSX ------------------------------------------------------------------------------


def test_csv_and_xlsx_have_kind_and_workbench_columns(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    _export(capsys, case_file, "csv", tmp_path / "m.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "m.csv").read_text("utf-8"), newline="")))
    by_text = {r["message"]: r for r in rows}
    first = by_text["first from Ann"]
    assert first["kind"] == "message"
    assert first["tags"].split("\n") == ["Relevant", HOSTILE_TAG]  # the case's tag order
    assert first["examiner_note"] == NOTE and first["bookmarked"] == "no"
    # each form of the number the message shows (other party as received, sender) named
    assert first["names"].split("\n") == [f"{NAME} ({OTHER})", f"{NAME} (+{OTHER})"]
    assert first["otherparty"] == OTHER
    assert by_text["reply to Ann"]["bookmarked"] == "yes"
    assert by_text["untagged"]["tags"] == "" and by_text["untagged"]["names"] == ""
    assert [r["kind"] for r in rows if r["kind"] != "message"] == ["read_report"]

    _export(capsys, case_file, "xlsx", tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")["messages"]
    header = [c.value for c in ws[1]]
    assert header[9:] == ["kind", "tags", "examiner_note", "bookmarked", "names", "note"]
    cells = {row[4].value: row for row in ws.iter_rows(min_row=2)}
    row = cells["first from Ann"]
    note = row[header.index("examiner_note")]
    assert note.value == NOTE and note.data_type == "s"  # a formula stays text
    tags = row[header.index("tags")]
    assert tags.value == f"Relevant\n{HOSTILE_TAG}" and tags.data_type == "s"
    assert row[header.index("names")].value == f"{NAME} ({OTHER})\n{NAME} (+{OTHER})"


def test_redacted_csv_and_xlsx_have_no_workbench_columns(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    _export(capsys, case_file, "csv", tmp_path / "m.csv", "--redact", "text")
    text = (tmp_path / "m.csv").read_text("utf-8")
    assert text.splitlines()[0].endswith(",source_sha256,kind")
    assert "alert" not in text and "Ann" not in text and "Relevant" not in text
    _export(capsys, case_file, "xlsx", tmp_path / "m.xlsx", "--redact", "both")
    ws = load_workbook(tmp_path / "m.xlsx")["messages"]
    assert [c.value for c in ws[1]][9:] == ["kind", "note"]


# -- PDF ---------------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_pdf_transcript_shows_the_workbench_and_report_status(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(capsys, case_file, "pdf", tmp_path / "t.pdf")
    text = _pdf_text(tmp_path / "t.pdf")
    assert "Tags:" in text and "Relevant" in text and '<b>Hot</b> "=1+1"' in text
    assert "Note: <script>alert(1)</script>" in text and "Bookmarked" in text
    assert f"{NAME} (+{OTHER})" in text
    assert "Read report: Read (Read by the user)" in text and "read_report" in text
    assert 'Conversation tags: <b>Hot</b> "=1+1"' in text
    _export(capsys, case_file, "pdf", tmp_path / "r.pdf", "--redact", "numbers")
    text = _pdf_text(tmp_path / "r.pdf")
    assert "alert(1)" not in text and "Ann</i>" not in text and "Tags:" not in text
    assert "notes and names left out" in text


# -- the bundle's audit log --------------------------------------------------------------------


def test_bundle_case_report_has_the_audit_log(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(capsys, case_file, "bundle", tmp_path / "b")
    report = json.loads((tmp_path / "b" / "case-report.json").read_text("utf-8"))
    log = report["audit_log"]
    with Case.open(case_file, create=False, readonly=True) as case:
        stored = A.audit_log(case.conn)
    assert len(log) == len(stored) > 0
    assert {e["examiner"] for e in log} == {WHO}
    assert [e["action"] for e in log][:1] == ["taglist.create"]
    notes = [e for e in log if e["action"] == "note.set"]
    assert notes and notes[0]["before"] is None and notes[0]["after"] == NOTE
    names = [e for e in log if e["action"] == "name.set"]
    assert names == [
        {
            "at": names[0]["at"],
            "examiner": WHO,
            "action": "name.set",
            "target": "name:+12145555273",
            "before": None,
            "after": NAME,
        }
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", names[0]["at"])
    code, _, err = run(capsys, "verify", "--bundle", str(tmp_path / "b"))
    assert code == 0, err
    # redacted: every entry stays, a note's or a name's text becomes its length
    _export(capsys, case_file, "bundle", tmp_path / "rb", "--redact", "numbers")
    raw = (tmp_path / "rb" / "case-report.json").read_text("utf-8")
    red = json.loads(raw)["audit_log"]
    assert [e["action"] for e in red] == [e["action"] for e in log]
    assert "alert(1)" not in raw and "Ann" not in raw and "2145555273" not in raw
    note = next(e for e in red if e["action"] == "note.set")
    assert note["after"] == f"[redacted: {len(NOTE)} characters]"


# -- the tagged-items report -------------------------------------------------------------------


def test_tagged_html_lists_only_tagged_messages_grouped_by_tag(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "tagged-html", "-o", str(out)
    )
    assert code == 0, err
    assert "3 tagged items under 2 tags" not in err  # a message with two tags counts twice
    assert "4 tagged items under 2 tags" in err
    index = (out / "index.html").read_text("utf-8")
    assert "Relevant" in index and "&lt;b&gt;Hot&lt;/b&gt;" in index
    assert "Privileged" not in index  # a tag no message carries has no group
    relevant = (out / "t0001-p0001.html").read_text("utf-8")
    hot = (out / "t0002-p0001.html").read_text("utf-8")
    assert relevant.count("<article") == 2 and hot.count("<article") == 2
    assert "untagged" not in relevant + hot
    # parties with names and numbers, the note, the tags, the time
    assert f"19465559040 ↔ &lt;i&gt;Ann&lt;/i&gt; =2+2 (+{OTHER})" in relevant
    assert "Note: &lt;script&gt;" in relevant and "2024-03-01T10:00:00.000Z" in relevant
    assert "Read report: Read" in hot and "<script>" not in relevant + hot
    for page in out.glob("*.html"):
        parsed = _parse(page)
        assert parsed.scripts == 0 and not parsed.handlers
        assert all(not link.startswith(("http", "//")) for link in parsed.links)
    # one tag only
    one = tmp_path / "one"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "tagged-html",
        "--tagged", "relevant", "-o", str(one),
    )  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in one.glob("*.html")) == ["index.html", "t0001-p0001.html"]
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "tagged-html",
        "--tagged", "Nope", "-o", str(tmp_path / "nope"),
    )  # fmt: skip
    assert code == 2 and "no tag 'Nope'" in err and not (tmp_path / "nope").exists()


def test_tagged_pdf_groups_by_tag(
    qapp: object, case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.pdf"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "tagged-pdf", "-o", str(out)
    )
    assert code == 0, err
    assert "wrote 4 tagged items" in err
    text = _pdf_text(out)
    assert "1. Tag Relevant" in text and '2. Tag <b>Hot</b> "=1+1"' in text
    assert "2 tagged messages" in text and "untagged" not in text
    assert f"19465559040 ↔ {NAME} (+{OTHER})" in text and "Note: <script>" in text
    assert text.index("1. Tag Relevant") < text.index("2. Tag")


def test_progress_of_the_tagged_report_counts_tagged_items(case_file: Path) -> None:
    from msgcopy_viewer.export.reports import work_for
    from msgcopy_viewer.export.selection import Selection, resolve

    with Case.open(case_file, create=False, readonly=True) as case:
        everything = resolve(case.conn, Selection())
        assert work_for(case.conn, everything, "tagged-html") == 4  # one message twice
        assert work_for(case.conn, everything, "bundle") == 4 * 5  # 4 messages, 5 stages
        # from 2 March: the untagged message and the read report (tagged once)
        later = resolve(case.conn, Selection(date_from="2024-03-02"))
        assert later.count(case.conn) == 2
        assert work_for(case.conn, later, "tagged-pdf") == 1
        assert work_for(case.conn, later, "pdf") == 2


def test_jsonl_lines_carry_their_conversations_tags(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code, out, err = run(capsys, "export", "--case", str(case_file), "--format", "jsonl")
    assert code == 0, err
    lines = {o["text"]: o for o in map(json.loads, out.splitlines())}
    assert lines["first from Ann"]["conversation"]["tags"] == [HOSTILE_TAG]
    assert lines["reply to Ann"]["conversation"]["tags"] == [HOSTILE_TAG]  # same conversation
    assert lines["untagged"]["conversation"]["tags"] == []
    # a redacted export names no tag, of a message or of a conversation
    code, out, err = run(
        capsys, "export", "--case", str(case_file), "--format", "jsonl", "--redact", "numbers"
    )
    assert code == 0, err
    for o in map(json.loads, out.splitlines()):
        assert "tags" not in o and "tags" not in o["conversation"]
