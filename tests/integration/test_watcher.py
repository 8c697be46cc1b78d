"""The folder watcher: files that appear are imported once, and only once complete."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgcopy_viewer.receiver.watcher import FolderWatcher, WatchError, WatchEvent
from tests.integration.vendor import document, sms_event


class Running:
    def __init__(self, case: Path, folders: list[Path], *, poll: bool = False) -> None:
        self.events: list[WatchEvent] = []
        self.arrived = threading.Condition()
        self.watcher = FolderWatcher(
            case, folders, settle_s=0.4, poll=poll, on_event=self._on_event
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
