"""The writer's duplicate filter: skipping look-ups never lets a duplicate through."""

from __future__ import annotations

from pathlib import Path

from msgcopy_viewer.ingest.analyze import FileAnalysis, analyze_bytes
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.ingest.writer import BatchWriter
from msgcopy_viewer.store.case import Case
from tests.integration.vendor import document, sms_event, write


def _files(*docs: tuple[str, bytes]) -> list[tuple[str, str, int | None, FileAnalysis]]:
    return [("/src", name, None, analyze_bytes(data)) for name, data in docs]


def _outcomes(case_path: Path) -> dict[str, tuple[str, str | None]]:
    with Case.open(case_path) as case:
        return {
            p: (o, r)
            for p, o, r in case.conn.execute("SELECT path, outcome, reason FROM source_files")
        }


def test_duplicates_found_after_their_first_copy_was_committed(tmp_path: Path) -> None:
    case_path = tmp_path / "x.mcase"
    first = document(sms_event("one"))
    with Case.open(case_path) as case:
        writer = BatchWriter(case, ["/src"], "cli", expected_files=3)
        assert writer._filter is not None
        writer.record_files(_files(("a.json", first)))
        writer.commit()
        # Same bytes, and the same event in other bytes, in a later transaction.
        retry = b'{"smsEvent":[' + document(sms_event("one"))[len(b'{\n   "smsEvent" : [') :]
        outcomes = writer.record_files(_files(("copy.json", first), ("retry.json", retry)))
        writer.finish("completed")
    assert [o.outcome for o in outcomes] == ["duplicate", "duplicate"]
    ledger = _outcomes(case_path)
    assert "same bytes as a.json" in (ledger["copy.json"][1] or "")
    assert "first seen in a.json" in (ledger["retry.json"][1] or "")


def test_another_connection_writing_turns_the_filter_off(tmp_path: Path) -> None:
    case_path = tmp_path / "x.mcase"
    doc = document(sms_event("both saw this"))
    with Case.open(case_path) as mine, Case.open(case_path) as theirs:
        writer = BatchWriter(mine, ["/src"], "cli", expected_files=10)
        assert writer._filter is not None
        other = BatchWriter(theirs, ["/other"], "receiver")
        other.record_files(_files(("theirs.json", doc)))
        other.finish("completed")
        # The filter was made before their commit and does not hold their keys.
        outcomes = writer.record_files(
            _files(("mine.json", doc), ("new.json", document(sms_event("only mine"))))
        )
        assert writer._filter is None
        writer.finish("completed")
    assert [o.outcome for o in outcomes] == ["duplicate", "imported"]
    with Case.open(case_path) as case:
        assert case.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 2


def test_the_filter_holds_the_case_keys_or_is_not_made(tmp_path: Path) -> None:
    src = tmp_path / "corpus"
    for i in range(40):
        write(src / f"{i}.json", sms_event(f"m{i}", start=f"2024-09-16T19:{i:02}:00.000Z"))
    case_path = tmp_path / "x.mcase"
    Importer(case_path, workers=1).run([src])
    with Case.open(case_path) as case:
        small = BatchWriter(case, ["/src"], "cli", expected_files=1)
        # One file against 80 stored keys: loading them would cost more than it saves.
        assert small._filter is None
        small.finish("completed")
        big = BatchWriter(case, ["/src"], "cli", expected_files=40)
        assert big._filter is not None
        ids = [r[0] for r in case.conn.execute("SELECT id FROM messages")]
        shas = [r[0] for r in case.conn.execute("SELECT sha256 FROM source_files")]
        assert all(key in big._filter for key in ids + shas)
        again = big.record_files(_files(("0.json", (src / "0.json").read_bytes())))
        big.finish("completed")
    assert again[0].outcome == "duplicate"
