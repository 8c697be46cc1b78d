"""Fuzzing the per-file path (hypothesis): file names, JSON shapes, zip structures.

Whatever is generated, every file must come out of scan → read → analyse → ledger with
one outcome, and nothing may raise. Inputs are made in memory or in one temporary
folder; a few thousand examples in all, derandomised so that a run is repeatable.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msgcopy_viewer.ingest import pipeline, scanner
from msgcopy_viewer.ingest.analyze import FileAnalysis, _storable, analyze_bytes
from msgcopy_viewer.ingest.writer import BatchWriter
from msgcopy_viewer.store.case import Case
from tests.hostile.builders import document, event, write_bytes

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_counter = itertools.count()


class PerFilePath:
    """The import's per-file path, one example at a time, into one case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.case = Case.open(root / "fuzz.mcase")
        self.writer = BatchWriter(self.case, [str(root)], "fuzz")
        self.importer = pipeline.Importer(self.case.path, workers=1)

    def run(self, paths: list[Path]) -> list[pipeline.LedgerEntry]:
        items = list(scanner.scan(paths))
        results = [pipeline._read_and_analyze(pipeline._job(i, 1 << 20)) for i in items]
        for result in results:
            if isinstance(result, FileAnalysis):
                assert all(_storable(m) for m in result.messages)
        report = pipeline.ImportReport(case="", batch_id=self.writer.batch_id, status="running")
        state = pipeline._RunState(len(items), 0, 0.0)
        before = self.writer.counters.files_seen
        self.importer._record_chunk(items, results, self.writer, report, state)
        self.writer.commit()
        assert self.writer.counters.files_seen - before == len(items)  # one outcome each
        return report.rejected + report.skipped

    def close(self) -> None:
        self.writer.finish("completed")
        self.case.close()


@pytest.fixture(scope="module")
def per_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PerFilePath]:
    runner = PerFilePath(tmp_path_factory.mktemp("fuzz"))
    yield runner
    runner.close()


def _fresh(runner: PerFilePath) -> Path:
    folder = runner.root / f"ex{next(_counter)}"
    folder.mkdir()
    return folder


# -- file names ---------------------------------------------------------------------------------
names = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..")
)


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
@settings(FUZZ, max_examples=200)
@given(st.lists(names, min_size=1, max_size=4, unique=True), st.booleans())
def test_fuzz_file_and_folder_names(
    per_file: PerFilePath, parts: list[bytes], as_folder: bool
) -> None:
    folder = _fresh(per_file)
    base = os.fsencode(folder)
    if as_folder and len(parts) > 1:
        os.mkdir(base + b"/" + parts[0])
        write_bytes(base + b"/" + parts[0] + b"/" + parts[1], document(event("x")))
        rest = parts[2:]
    else:
        rest = parts
    for name in rest:
        write_bytes(base + b"/" + name, document(event(repr(name))))
    per_file.run([folder])
    for item in scanner.scan([folder]):
        item.relpath.encode("utf-8")
        assert scanner.name_bytes(item.relpath).split(b"/")[-1] in parts or item.relpath
    shutil.rmtree(folder)


# -- JSON shapes --------------------------------------------------------------------------------
text = st.text(alphabet=st.characters(codec=None), max_size=30)  # surrogates included
leaf = st.one_of(
    st.none(),
    st.booleans(),
    text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
)
values = st.recursive(
    leaf,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(text, kids, max_size=4),
    max_leaves=6,
)
TIMES = st.sampled_from(
    [
        "2024-09-16T19:30:39.090+0000",
        "0001-01-01T00:00:00.000+0100",
        "9999-12-31T23:59:59.999-0100",
        "2024-02-30T00:00:00Z",
        "",
    ]
)


@st.composite
def vendorish(draw: st.DrawFn) -> bytes:
    """Events shaped like the vendor's, with any field replaced, removed or added."""
    ev: dict[str, Any] = event(draw(text))
    ev["startTime"] = draw(TIMES | text)
    if draw(st.booleans()):
        ev["messageType"] = "mms"
        ev["message"] = draw(st.sampled_from(["", "--b\r\n\r\n", "<soap>"]) | text)
    for key in draw(st.lists(st.sampled_from([*ev, "subscriberParty.mobile"]), max_size=3)):
        if "." in key:
            if isinstance(ev.get("subscriberParty"), dict):
                ev["subscriberParty"]["mobile"] = draw(values)
        else:
            ev[key] = draw(values)
    for key in draw(st.lists(st.sampled_from(list(ev)), max_size=2)):
        ev.pop(key, None)
    extra = draw(st.dictionaries(text, values, max_size=2))
    ev.update(extra)
    raw = json.dumps({"smsEvent": [ev] * draw(st.integers(1, 2))}).encode()
    if draw(st.booleans()):  # a repeated key, or a byte flipped
        raw = raw.replace(b'"direction"', b'"message": "hidden", "direction"', 1)
    else:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


@settings(FUZZ, max_examples=1400)
@given(vendorish())
def test_fuzz_json_shapes_in_memory(data: bytes) -> None:
    result = analyze_bytes(data)
    assert result.error is not None or result.messages
    assert all(_storable(m) for m in result.messages)


@settings(FUZZ, max_examples=100)
@given(st.lists(vendorish(), min_size=1, max_size=3))
def test_fuzz_json_shapes_through_the_ledger(per_file: PerFilePath, docs: list[bytes]) -> None:
    folder = _fresh(per_file)
    for i, data in enumerate(docs):
        (folder / f"{i}.json").write_bytes(data)
    per_file.run([folder])
    shutil.rmtree(folder)


# -- zip structures -----------------------------------------------------------------------------
member_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
)


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # repeated names are wanted here
        for name in draw(st.lists(member_names, min_size=1, max_size=4)):
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            body = draw(
                st.sampled_from([document(event("z")), b"", b"{}", b"\x00" * 300]) | st.binary()
            )
            if draw(st.booleans()):
                inner = io.BytesIO()
                with zipfile.ZipFile(inner, "w") as iz:
                    iz.writestr("inner.json", body)
                name, body = name + ".zip", inner.getvalue()
            zf.writestr(zipfile.ZipInfo(name), body, compress_type=method)
    data = bytearray(buf.getvalue())
    for _ in range(draw(st.integers(0, 3))):  # damage: flipped bytes, anywhere
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    return bytes(data)


@settings(FUZZ, max_examples=300)
@given(zips())
def test_fuzz_zip_structures(per_file: PerFilePath, data: bytes) -> None:
    folder = _fresh(per_file)
    (folder / "evidence.zip").write_bytes(data)
    per_file.run([folder])
    shutil.rmtree(folder)
