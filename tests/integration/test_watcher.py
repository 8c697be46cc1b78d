"""The folder watcher: files that appear are imported once, and only once complete."""

from __future__ import annotations

import io
import logging
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgcopy_viewer.ingest.scanner import ScanLimits
from msgcopy_viewer.receiver.watcher import FolderWatcher, WatchError, WatchEvent
from tests.integration.vendor import document, sms_event


class Running:
    def __init__(
        self,
        case: Path,
        folders: list[Path],
        *,
        poll: bool = False,
        broken_zip_s: float | None = None,
        limits: ScanLimits | None = None,
    ) -> None:
        self.events: list[WatchEvent] = []
        self.arrived = threading.Condition()
        self.watcher = FolderWatcher(
            case,
            folders,
            settle_s=0.4,
            poll=poll,
            on_event=self._on_event,
            broken_zip_s=broken_zip_s,
            limits=limits,
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,))
        self.thread.start()

    def _on_event(self, e: WatchEvent) -> None:
        with self.arrived:
            self.events.append(e)
            self.arrived.notify_all()

    def wait_for(self, n: int, timeout: float = 30) -> list[WatchEvent]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.events) >= n, timeout), self.events
            return list(self.events)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


@pytest.fixture
def watchers() -> Iterator[list[Running]]:
    made: list[Running] = []
    yield made
    for w in made:
        w.close()


def texts(case: Path) -> list[str]:
    with sqlite3.connect(case) as conn:
        return sorted(r[0] for r in conn.execute("SELECT text FROM messages"))


def ledger(case: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(case) as conn:
        return conn.execute("SELECT path, outcome FROM source_files ORDER BY id").fetchall()


def write_slowly(path: Path, data: bytes, pieces: int = 6, pause: float = 0.12) -> None:
    step = -(-len(data) // pieces)
    with open(path, "wb") as fh:
        for i in range(0, len(data), step):
            fh.write(data[i : i + step])
            fh.flush()
            time.sleep(pause)


@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_slowly_written_files_are_imported_once_complete(
    tmp_path: Path, watchers: list[Running], poll: bool
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    w = Running(case, [share], poll=poll)
    watchers.append(w)
    body = document(sms_event("written in pieces " + "x" * 3000))
    write_slowly(share / "incoming.json", body)
    (share / "sub").mkdir()
    write_slowly(share / "sub" / "second.json", document(sms_event("second")))
    events = w.wait_for(2)
    w.close()
    watchers.remove(w)
    assert sorted((e.relpath, e.outcome) for e in events) == [
        ("incoming.json", "imported"),
        ("sub/second.json", "imported"),
    ]
    assert texts(case) == ["second", "written in pieces " + "x" * 3000]
    assert sorted(ledger(case)) == [("incoming.json", "imported"), ("sub/second.json", "imported")]


def test_restart_picks_up_what_arrived_while_stopped(
    tmp_path: Path, watchers: list[Running]
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    (share / "before.json").write_bytes(document(sms_event("before")))
    w = Running(case, [share])
    watchers.append(w)
    w.wait_for(1)
    w.close()
    watchers.remove(w)
    (share / "while-off.json").write_bytes(document(sms_event("while off")))
    (share / ".hidden.json.tmp").write_bytes(b"partial")
    w = Running(case, [share])
    watchers.append(w)
    events = w.wait_for(1)
    assert [(e.relpath, e.outcome) for e in events] == [("while-off.json", "imported")]
    # a file rewritten with the same content is not imported again; an invalid one is rejected
    (share / "bad.json").write_bytes(b"{not json")
    events = w.wait_for(2)
    assert events[1].relpath == "bad.json" and events[1].outcome == "rejected"
    w.close()
    watchers.remove(w)
    assert texts(case) == ["before", "while off"]
    with sqlite3.connect(case) as conn:
        origins = conn.execute("SELECT origin, status FROM import_batches").fetchall()
    assert origins == [("watcher", "completed"), ("watcher", "completed")]


def test_a_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match="not a folder"):
        FolderWatcher(tmp_path / "case.mcase", [tmp_path / "nope"])


# -- zip archives ------------------------------------------------------------------------------
def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 12, 0, 0)), data)
    return buf.getvalue()


def message_count(case: Path) -> int:
    with sqlite3.connect(case) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def test_a_zip_copied_in_pieces_is_imported_once_complete_after_a_stall(
    tmp_path: Path, watchers: list[Running], caplog: pytest.LogCaptureFixture
) -> None:
    """The first half stays unchanged longer than the settle time: the watcher tries it,
    cannot open it, and does not record it; the complete archive is imported once."""
    caplog.set_level(logging.INFO, logger="msgcopy_viewer.receiver.watcher")
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    archive = zip_of(
        {
            "export/a.json": document(sms_event("zipped one " + "y" * 2000)),
            "export/b.json": document(sms_event("zipped two")),
            "export/notes.txt": b"not a message",
        }
    )
    w = Running(case, [share], broken_zip_s=60)
    watchers.append(w)
    half = len(archive) // 2
    with open(share / "export.zip", "wb") as fh:
        fh.write(archive[:half])
        fh.flush()
        deadline = time.monotonic() + 30
        while "trying again" not in caplog.text:  # the watcher has seen the stalled copy
            assert time.monotonic() < deadline, "the half-copied archive was never tried"
            time.sleep(0.05)
        assert w.events == [] and ledger(case) == []
        for i in range(half, len(archive), 200):
            fh.write(archive[i : i + 200])
            fh.flush()
            time.sleep(0.02)
    events = w.wait_for(3)
    assert sorted((e.relpath, e.outcome) for e in events) == [
        ("export.zip/export/a.json", "imported"),
        ("export.zip/export/b.json", "imported"),
        ("export.zip/export/notes.txt", "rejected"),
    ]
    # touched, and copied again under the same name: nothing new is recorded
    (share / "export.zip").write_bytes(archive)
    (share / "trigger.json").write_bytes(document(sms_event("after the zip")))
    events = w.wait_for(4)
    w.close()
    watchers.remove(w)
    assert [(e.relpath, e.outcome) for e in events[3:]] == [("trigger.json", "imported")]
    assert texts(case) == ["after the zip", "zipped one " + "y" * 2000, "zipped two"]
    assert sorted(ledger(case)) == [
        ("export.zip/export/a.json", "imported"),
        ("export.zip/export/b.json", "imported"),
        ("export.zip/export/notes.txt", "rejected"),
        ("trigger.json", "imported"),
    ]


def test_a_zip_that_stays_broken_is_rejected_once(tmp_path: Path, watchers: list[Running]) -> None:
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    w = Running(case, [share], broken_zip_s=1.0)
    watchers.append(w)
    archive = zip_of({"a.json": document(sms_event("never complete"))})
    (share / "cut.zip").write_bytes(archive[: len(archive) - 30])
    events = w.wait_for(1)
    assert [(e.relpath, e.outcome) for e in events] == [("cut.zip", "rejected")]
    assert events[0].reason is not None
    assert "not a readable zip archive" in events[0].reason
    assert "unchanged for 1 s" in events[0].reason
    (share / "later.json").write_bytes(document(sms_event("later")))
    events = w.wait_for(2)
    w.close()
    watchers.remove(w)
    assert ledger(case) == [("cut.zip", "rejected"), ("later.json", "imported")]
    # a restart does not reject it again; the archive completed later is imported
    w = Running(case, [share], broken_zip_s=1.0)
    watchers.append(w)
    (share / "cut.zip").write_bytes(archive)
    events = w.wait_for(1)
    w.close()
    watchers.remove(w)
    assert [(e.relpath, e.outcome) for e in events] == [("cut.zip/a.json", "imported")]
    assert texts(case) == ["later", "never complete"]


def test_zips_store_nothing_twice_and_a_restart_picks_up_zips(
    tmp_path: Path, watchers: list[Running]
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    one = document(sms_event("one"))
    two = document(sms_event("two"))
    (share / "one.json").write_bytes(one)
    w = Running(case, [share])
    watchers.append(w)
    w.wait_for(1)
    # an archive of a message already imported as a file, and a new one
    (share / "both.zip").write_bytes(zip_of({"one.json": one, "two.json": two}))
    events = w.wait_for(3)
    w.close()
    watchers.remove(w)
    assert sorted((e.relpath, e.outcome) for e in events[1:]) == [
        ("both.zip/one.json", "duplicate"),
        ("both.zip/two.json", "imported"),
    ]
    # while off: the same archive under another name, and a new archive in a sub-folder
    (share / "copy of both.zip").write_bytes((share / "both.zip").read_bytes())
    (share / "sub").mkdir()
    (share / "sub" / "three.zip").write_bytes(zip_of({"3.json": document(sms_event("three"))}))
    w = Running(case, [share])
    watchers.append(w)
    events = w.wait_for(3)
    w.close()
    watchers.remove(w)
    assert sorted((e.relpath, e.outcome) for e in events) == [
        ("copy of both.zip/one.json", "duplicate"),
        ("copy of both.zip/two.json", "duplicate"),
        ("sub/three.zip/3.json", "imported"),
    ]
    assert texts(case) == ["one", "three", "two"] and message_count(case) == 3
    rows = len(ledger(case))
    # a restart with nothing new records nothing (the archives are not imported again)
    w = Running(case, [share])
    watchers.append(w)
    (share / "last.json").write_bytes(document(sms_event("last")))
    events = w.wait_for(1)
    w.close()
    watchers.remove(w)
    assert [(e.relpath, e.outcome) for e in events] == [("last.json", "imported")]
    assert len(ledger(case)) == rows + 1


def test_the_import_limits_apply_to_files_and_zip_members(
    tmp_path: Path, watchers: list[Running]
) -> None:
    """A file over the size limit is rejected without being read whole, as by `import`."""
    share = tmp_path / "share"
    share.mkdir()
    case = tmp_path / "case.mcase"
    small = document(sms_event("small"))
    big = document(sms_event("big " + "z" * 3000))
    w = Running(case, [share], limits=ScanLimits(max_file_bytes=len(small) + 10))
    watchers.append(w)
    (share / "big.json").write_bytes(big)
    (share / "small.json").write_bytes(small)
    (share / "a.zip").write_bytes(zip_of({"big.json": big}))
    events = w.wait_for(3)
    w.close()
    watchers.remove(w)
    outcomes = {e.relpath: (e.outcome, e.reason or "") for e in events}
    assert outcomes["small.json"] == ("imported", "")
    assert outcomes["big.json"][0] == "rejected"
    assert "larger than the size limit" in outcomes["big.json"][1]
    assert outcomes["a.zip/big.json"][0] == "rejected"
    assert texts(case) == ["small"]


def test_a_case_inside_the_watched_folder_is_left_alone(
    tmp_path: Path, watchers: list[Running]
) -> None:
    """`watch . --case evidence.mcase`: the case, its journal files and its inbox are not
    imported (each import would change them, and the watcher would go round for ever)."""
    share = tmp_path / "share"
    share.mkdir()
    case = share / "evidence.mcase"
    inbox = share / "evidence.mcase.inbox"
    inbox.mkdir()
    (inbox / "0001.json").write_bytes(document(sms_event("the receiver's")))
    w = Running(case, [share])
    watchers.append(w)
    (share / "first.json").write_bytes(document(sms_event("first")))
    w.wait_for(1)
    (share / "second.json").write_bytes(document(sms_event("second")))
    events = w.wait_for(2)
    (share / "third.json").write_bytes(document(sms_event("third")))
    events = w.wait_for(3)
    w.close()
    watchers.remove(w)
    assert [(e.relpath, e.outcome) for e in events] == [
        ("first.json", "imported"),
        ("second.json", "imported"),
        ("third.json", "imported"),
    ]
    assert sorted(ledger(case)) == [
        ("first.json", "imported"),
        ("second.json", "imported"),
        ("third.json", "imported"),
    ]


def test_watch_prints_hostile_names_as_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """File names in a share, and inside its zip archives, are the senders' choice: `watch`
    shows their control characters escaped, never sends them to the terminal."""
    import signal

    from msgcopy_viewer.cli import main

    share = tmp_path / "share"
    share.mkdir()
    (share / "evil\x1b]0;owned\x07.json").write_bytes(document(sms_event("one")))
    (share / "a.zip").write_bytes(zip_of({"x\x1b[2J.json": document(sms_event("two"))}))
    timer = threading.Timer(4.0, signal.raise_signal, (signal.SIGINT,))
    timer.start()
    try:
        code = main(["watch", str(share), "--case", str(tmp_path / "c.mcase"), "--settle", "0.2"])
    finally:
        timer.cancel()
    out, err = capsys.readouterr()
    assert code == 0
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "evil\\x1b]0;owned\\x07.json" in out
    assert "a.zip/x\\x1b[2J.json" in out
