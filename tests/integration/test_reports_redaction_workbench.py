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
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
