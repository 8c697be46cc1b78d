"""End to end on loopback: ``send`` the demo corpus to ``serve``, as the platform would.

Both run as separate processes, as a user runs them; the receiver is even killed with
SIGKILL in the middle of a run and restarted. Every message ever acknowledged must be in
the case, and each message only once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgcopy_viewer.demo.generator import generate_demo
from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.receiver.sender import Sender, SendState, collect_files
from tests.integration.vendor import sms_event, write

pytestmark = pytest.mark.slow

ID = re.compile(r" (2\d\d) \d+B .* id=([0-9a-f]+)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A small demo corpus and the message ids a plain import of it gives."""
    root = tmp_path_factory.mktemp("e2e")
    src = root / "corpus"
    src.mkdir()
    generate_demo(src, messages=120, seed=5)
    ref = root / "reference.mcase"
    Importer(ref, workers=1).run([src])
    with sqlite3.connect(ref) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM messages")}
    assert len(ids) > 100
    return src, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """``msgcopy-viewer serve`` in a child process, its request lines collected."""

    def __init__(self, case: Path, port: int, *extra: str) -> None:
        args = ["serve", "--case", str(case), "--port", str(port), *extra]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "msgcopy_viewer", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.banner: list[str] = []
        assert self.proc.stderr is not None
        for line in self.proc.stderr:  # wait until it listens
            self.banner.append(line)
            if line.startswith("receiving at"):
                break
        else:
            raise AssertionError("serve did not start: " + "".join(self.banner))
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.got_line = threading.Event()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self.got_line.set()

    def acknowledged(self) -> set[str]:
        return {m.group(2) for line in self.lines if (m := ID.search(line))}

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        if self.proc.stderr is not None:
            self.banner.extend(self.proc.stderr.readlines())
            self.proc.stderr.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code


@pytest.fixture
def serves() -> Iterator[list[Serve]]:
    started: list[Serve] = []
    yield started
    for s in started:
        if s.proc.poll() is None:
            s.stop(signal.SIGKILL)


def send(corpus: Path, url: str, state: Path, *extra: str) -> subprocess.Popen[str]:
    args = ["send", str(corpus), "--url", url, "--interval", "0.1", "--timeout", "10"]
    return subprocess.Popen(
        [sys.executable, "-m", "msgcopy_viewer", *args, "--state", str(state), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def case_ids(case: Path) -> list[str]:
    with sqlite3.connect(case) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM messages")]


def test_send_the_corpus_to_serve_with_failures(
    corpus: tuple[Path, set[str]], tmp_path: Path, serves: list[Serve]
) -> None:
    src, expected = corpus
    port = free_port()
    case = tmp_path / "received.mcase"
    serve = Serve(case, port, "--fail-rate", "0.2")
    serves.append(serve)
    sender = send(
        src, f"http://127.0.0.1:{port}/", tmp_path / "state.jsonl", "--max-attempts", "60"
    )
    out, err = sender.communicate(timeout=110)
    assert sender.returncode == 0, out + err
    assert serve.stop() == 0
    ids = case_ids(case)
    assert sorted(ids) == sorted(expected)  # exactly the corpus, each message once
    assert any(" 503 " in line for line in serve.lines)  # failures did happen
    assert "retries" in out and not (tmp_path / "state.jsonl").exists()


def test_receiver_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    corpus: tuple[Path, set[str]], tmp_path: Path, serves: list[Serve]
) -> None:
    src, expected = corpus
    port = free_port()
    case = tmp_path / "received.mcase"
    first = Serve(case, port, "--delay", "20")
    serves.append(first)
    sender = send(
        src, f"http://127.0.0.1:{port}/", tmp_path / "state.jsonl", "--max-attempts", "1000"
    )
    while len(first.acknowledged()) < 30:
        assert first.got_line.wait(60), "no request arrived"
        first.got_line.clear()
        assert sender.poll() is None, "the sender finished before the receiver was killed"
    first.stop(signal.SIGKILL)  # in the middle of a run, perhaps of a request
    acknowledged = first.acknowledged()
    second = Serve(case, port)
    serves.append(second)
    out, err = sender.communicate(timeout=110)
    assert sender.returncode == 0, out + err
    assert second.stop() == 0
    acknowledged |= second.acknowledged()
    ids = case_ids(case)
    assert acknowledged <= set(ids)  # every message ever answered 2xx is in the case
    assert len(ids) == len(set(ids)) == len(expected)  # nothing twice
    assert set(ids) == expected


def test_sender_resumes_from_its_state_file(tmp_path: Path, serves: list[Serve]) -> None:
    folder = tmp_path / "outbox"
    for i in range(5):
        write(folder / f"m{i}.json", sms_event(f"message {i}"))
    port = free_port()
    case = tmp_path / "received.mcase"
    serve = Serve(case, port)
    serves.append(serve)
    url = f"http://127.0.0.1:{port}/"
    files = collect_files([folder])
    state_path = tmp_path / "state.jsonl"

    state = SendState.load_or_create(state_path, url, files)
    summary = asyncio.run(Sender(url, state, batch=3, interval=0, cycles=1).run())
    state.close(finished=summary.complete)
    assert summary.acknowledged == 3 and len(summary.remaining) == 2
    assert state_path.exists()
    again = SendState.load_or_create(state_path, url, files)  # an interrupted run, resumed
    assert len(again.items) == 2
    summary = asyncio.run(Sender(url, again, batch=3, interval=0).run())
    again.close(finished=summary.complete)
    assert summary.acknowledged == 2 and summary.complete and not state_path.exists()
    serve.stop()
    assert len(case_ids(case)) == 5
    assert os.path.getsize(case) > 0


def test_serve_self_signed_then_send_with_its_saved_certificate(
    tmp_path: Path, serves: list[Serve]
) -> None:
    """The README's walk-through: `serve --tls-self-signed --token-file`, then `send --ca`
    with the certificate serve saved in its inbox. The token appears in no output."""
    import time

    token = "e2e-Token-0123456789"
    token_file = tmp_path / "token.txt"
    token_file.write_text(token + "\n", "utf-8")
    case = tmp_path / "evidence.mcase"
    port = free_port()
    s = Serve(case, port, "--tls-self-signed", "--token-file", str(token_file))
    serves.append(s)
    cert = tmp_path / "evidence.mcase.inbox" / "receiver-cert.pem"
    deadline = time.monotonic() + 30
    while not cert.exists():
        assert time.monotonic() < deadline, "".join(s.banner)
        time.sleep(0.05)
    pem = cert.read_text("ascii")
    assert pem.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" not in pem
    messages = tmp_path / "out"
    messages.mkdir()
    write(messages / "a.json", sms_event("over https"))
    url = f"https://127.0.0.1:{port}/"
    state = tmp_path / "state.jsonl"
    untrusted = send(messages, url, state, "--token-file", str(token_file), "--cycles", "1")
    out, err = untrusted.communicate(timeout=60)
    assert untrusted.returncode == 1 and "certificate" in out
    trusted = send(messages, url, state, "--token-file", str(token_file), "--ca", str(cert))
    out, err = trusted.communicate(timeout=60)
    assert trusted.returncode == 0, out + err
    assert "1 acknowledged" in out
    assert s.stop() == 0
    banner = "".join(s.banner)
    assert "TLS certificate SHA-256 fingerprint:" in banner and str(cert) in banner
    assert all(token not in text for text in (banner, "".join(s.lines), out, err))
    assert len(case_ids(case)) == 1
