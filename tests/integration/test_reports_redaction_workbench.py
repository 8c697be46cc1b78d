"""Reports of a selection of tagged messages say so, and redacted reports leak none of the
examiner's words: a tag that names a person or holds a number, a note, a name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store import annotations as A
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import iter_messages
from msgcopy_viewer.store.names import set_names
from tests.integration.vendor import sms_event, write

WHO = "E. Xaminer"
PERSON_TAG = "Ann Smith"
NUMBER_TAG = "Call 0214 555 0177"  # a tag holding a full number
NOTE = "Ann said 0214 555 0177 at 10"
NAME = "Annabel Private"


@pytest.fixture(scope="module")
def case_file(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wbr")
    src = root / "src"
    # message ids of these events hold runs of five digits or more: a redacted report
    # must keep them as they are (ids identify, they do not reveal)
    for n in range(12):
        write(
            src / f"m{n}.json",
            sms_event(f"message {n}", start=f"2024-03-01T10:{n:02d}:00.000+0000"),
        )
    path = root / "c.mcase"
    Importer(path, workers=1).run([src])
    with Case.open(path) as case:
        msgs = list(iter_messages(case.conn))
        rowids = [m.rowid for m in msgs]
        A.create_tag(case, PERSON_TAG, "#cc2200", examiner=WHO)
        A.create_tag(case, NUMBER_TAG, "#22cc00", examiner=WHO)
        A.tag_messages(case, rowids, PERSON_TAG, examiner=WHO)
        A.tag_messages(case, rowids[:3], NUMBER_TAG, examiner=WHO)
        A.tag_conversation(case, msgs[0].conversation_id, PERSON_TAG, examiner=WHO)
        A.update_tag(case, NUMBER_TAG, examiner=WHO, color="#2200cc")
        A.set_note(case, rowids[0], NOTE, examiner=WHO)
        set_names(case, [(msgs[0].other_party, NAME)], source="examiner", origin=WHO, examiner=WHO)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _ids(case: Path) -> set[str]:
    with Case.open(case, readonly=True) as c:
        return {m.id for m in iter_messages(c.conn)}


def test_a_tagged_selection_is_named_in_the_case_report_and_the_headers(
    case_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "b"
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", "bundle", "-o", str(out),
        "--tagged", NUMBER_TAG,
    )  # fmt: skip
    assert code == 0, err
    report = json.loads((out / "case-report.json").read_text(encoding="utf-8"))
    assert report["selection"]["tagged"] == NUMBER_TAG
    assert report["selection"]["whole_case"] is False
    assert NUMBER_TAG in report["selection"]["description"]
    assert NUMBER_TAG in (out / "html" / "index.html").read_text(encoding="utf-8")


def _texts(root: Path) -> dict[str, str]:
    """Every file of an export as text (PDFs by their extracted text), by relative path."""
    from pypdf import PdfReader

    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    out: dict[str, str] = {}
    for f in files:
        rel = f.name if f == root else f.relative_to(root).as_posix()
        if f.suffix == ".pdf":
            text = " ".join(p.extract_text() for p in PdfReader(f).pages)
        elif f.suffix == ".xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(f, read_only=True)
            text = " ".join(
                str(v)
                for ws in wb.worksheets
                for row in ws.iter_rows(values_only=True)
                for v in row
            )
            wb.close()
        else:
            text = f.read_bytes().decode("utf-8", "replace")
        out[rel] = rel + "\n" + text
    return out


@pytest.mark.parametrize("mode", ["numbers", "text", "both"])
@pytest.mark.parametrize("fmt", ["bundle", "tagged-html", "tagged-pdf"])
def test_redacted_reports_leak_no_tag_note_or_name_and_keep_message_ids(
    case_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str, mode: str
) -> None:
    out = tmp_path / ("r.pdf" if fmt == "tagged-pdf" else "r")
    code, _, err = run(
        capsys, "export", "--case", str(case_file), "--format", fmt, "-o", str(out),
        "--redact", mode, "--tagged", PERSON_TAG,
    )  # fmt: skip
    assert code == 0, err
    texts = _texts(out)
    for rel, text in texts.items():
        flat = " ".join(text.split())
        for secret in ("Ann Smith", "Annabel", "Private", "0214 555 0177", "02145550177"):
            assert secret not in flat, f"{secret!r} in {rel}"
    if fmt != "bundle":
        return
    report = json.loads((out / "case-report.json").read_text(encoding="utf-8"))
    log = report["audit_log"]
    ids = _ids(case_file)
    targets = [e["target"] for e in log if e["action"] in ("tag.add", "note.set")]
    assert targets and all(t.split(":", 1)[1] in ids for t in targets)
    # each tag is called by one stable label, so that the log still reads
    added = {e["after"] for e in log if e["action"] == "tag.add"}
    assert len(added) == 2 and not added & {PERSON_TAG, NUMBER_TAG}
    created = [e["target"] for e in log if e["action"] == "taglist.create"]
    assert {t.removeprefix("tag:") for t in created} == added
    assert report["selection"]["tagged"] in added


@pytest.mark.parametrize("redact", [None, "numbers"])
def test_search_results_filtered_by_tag_say_so_in_the_case_report(
    case_file: Path, tmp_path: Path, redact: str | None
) -> None:
    from msgcopy_viewer.export.redact import Redactor
    from msgcopy_viewer.export.reports import run_export
    from msgcopy_viewer.export.selection import Selection
    from msgcopy_viewer.store.search import SearchFilters
    from msgcopy_viewer.ui.report_pdf import write_pdf_report

    # what the app exports as "the current search results" with the filter "Tagged …"
    sel = Selection(
        search_filters=SearchFilters(tagged=NUMBER_TAG, has_note=True, bookmarked=False)
    )
    out = tmp_path / "b"
    with Case.open(case_file, readonly=True) as case:
        run_export(
            case, sel, "bundle", out, redactor=Redactor.for_mode(redact),
            pdf_writer=write_pdf_report,
        )  # fmt: skip
    report = json.loads((out / "case-report.json").read_text(encoding="utf-8"))
    assert report["messages"] == 1  # tagged, with a note
    filters = report["selection"]["search_filters"]
    assert filters["has_note"] is True and filters["bookmarked"] is False
    assert "with a note" in report["selection"]["description"]
    if redact is None:
        assert filters["tagged"] == NUMBER_TAG
    else:
        assert filters["tagged"] == "tag 5"  # its place in the list: 3 defaults, then two
        assert "0214 555 0177" not in (out / "case-report.json").read_text(encoding="utf-8")
