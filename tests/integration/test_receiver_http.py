"""The receiver's answers, one rule at a time (pytest-aiohttp, handlers on loopback)."""

from __future__ import annotations

import errno
import gzip
import json
import logging
import sqlite3
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from msgcopy_viewer.receiver import inbox as inbox_module
from msgcopy_viewer.receiver.config import ReceiverConfig, default_inbox
from msgcopy_viewer.receiver.requestlog import RequestRecord
from msgcopy_viewer.receiver.server import Receiver
from tests.integration.vendor import document, sms_event

TOKEN = "s3cret-T0ken-value"

MakeClient = Callable[..., Awaitable[tuple[TestClient[Any, Any], Receiver, list[RequestRecord]]]]


def messages(case: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(case) as conn:
        return conn.execute("SELECT id, text FROM messages ORDER BY rowid").fetchall()


def ledger(case: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(case) as conn:
        return conn.execute(
            "SELECT root, path, outcome, reason FROM source_files ORDER BY id"
        ).fetchall()


def inbox_files(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.glob("*.json"))


@pytest.fixture
def config(tmp_path: Path) -> ReceiverConfig:
    case = tmp_path / "evidence.mcase"
    return ReceiverConfig(case=case, inbox=default_inbox(case), port=0)


@pytest.fixture
async def make_client(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[MakeClient]:
    receivers: list[Receiver] = []

    async def make(cfg: ReceiverConfig, **kw: Any) -> tuple[Any, Receiver, list[RequestRecord]]:
        records: list[RequestRecord] = []
        receiver = Receiver(cfg, on_request=records.append, **kw)
        receiver.open_storage()
        receivers.append(receiver)
        server = TestServer(receiver.make_app())
        await server.start_server(**receiver.runner_kwargs())
        client = await aiohttp_client(server)
        return client, receiver, records

    yield make
    for r in receivers:
        r.close_storage()


async def test_valid_document_is_stored_durably_then_imported(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, records = await make_client(config)
    body = document(sms_event("first"))
    resp = await client.post("/", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 200
    answer = await resp.json()
    assert answer["status"] == "stored" and answer["duplicate"] is False
    (mid, text) = messages(config.case)[0]
    assert answer["id"] == mid and text == "first"
    files = inbox_files(config.inbox)
    assert len(files) == 1 and (config.inbox / files[0]).read_bytes() == body
    assert ledger(config.case) == [(str(config.inbox), files[0], "imported", None)]
    assert [r.outcome for r in records] == ["stored"]
    assert records[0].message_id == mid and records[0].file == files[0]
    assert records[0].conversations  # the app opens the conversation it went to
    logged = [json.loads(x) for x in (config.inbox / "requests.jsonl").read_text().splitlines()]
    assert logged[0]["status"] == 200 and logged[0]["outcome"] == "stored"
    assert logged[0]["id"] == mid and logged[0]["size"] == len(body)


async def test_retries_are_recognised_and_stored_once(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, _ = await make_client(config)
    body = document(sms_event("again"))
    first = await (await client.post("/", data=body)).json()
    second_resp = await client.post("/", data=body)
    second = await second_resp.json()
    # the same event with other bytes (re-serialised by a proxy) is the same message too
    reformatted = json.dumps(json.loads(body)).encode()
    third = await (await client.post("/", data=reformatted)).json()
    assert second_resp.status == 200
    assert first["duplicate"] is False and second["duplicate"] is True and third["duplicate"]
    assert first["id"] == second["id"] == third["id"]
    assert len(messages(config.case)) == 1
    outcomes = [row[2] for row in ledger(config.case)]
    assert outcomes == ["imported", "duplicate", "duplicate"]


async def test_invalid_document_is_quarantined_with_its_reason(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, records = await make_client(config)
    resp = await client.post("/", data=b'{"hello": "world"}')
    assert resp.status == 202
    answer = await resp.json()
    assert answer["status"] == "quarantined" and answer["reason"]
    kept = list((config.inbox / "quarantine").glob("*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"hello": "world"}'
    reason = kept[0].with_name(kept[0].name.removesuffix(".json") + ".reason.txt")
    assert reason.read_text().strip() == answer["reason"]
    assert messages(config.case) == []
    assert ledger(config.case)[0][1:3] == (f"quarantine/{kept[0].name}", "rejected")
    assert records[0].outcome == "quarantined"


async def test_strict_mode_refuses_invalid_documents_and_keeps_nothing(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, records = await make_client(replace(config, strict=True))
    resp = await client.post("/", data=b"not json at all")
    assert resp.status == 422
    assert "not a Message Copy document" in (await resp.json())["reason"]
    assert list((config.inbox / "quarantine").iterdir()) == []
    assert inbox_files(config.inbox) == []
    assert records[0].outcome == "refused"
    ok = await client.post("/", data=document(sms_event("valid")))
    assert ok.status == 200


async def test_only_post_on_the_configured_path(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, _ = await make_client(replace(config, path="/msgcopy"))
    resp = await client.get("/msgcopy")
    assert resp.status == 405 and resp.headers["Allow"] == "POST"
    resp = await client.put("/msgcopy", data=b"{}")
    assert resp.status == 405
    resp = await client.post("/elsewhere", data=document(sms_event()))
    assert resp.status == 404
    resp = await client.post("/msgcopy", data=document(sms_event()))
    assert resp.status == 200
    assert len(messages(config.case)) == 1


async def test_bearer_token_is_required_and_never_logged(
    make_client: MakeClient, config: ReceiverConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client, _, records = await make_client(replace(config, token=TOKEN))
    body = document(sms_event("secret"))
    resp = await client.post("/", data=body)
    assert resp.status == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    resp = await client.post("/", data=body, headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401 and "invalid_token" in resp.headers["WWW-Authenticate"]
    resp = await client.post("/", data=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert resp.status == 401
    assert messages(config.case) == []
    resp = await client.post("/", data=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status == 200
    assert len(messages(config.case)) == 1
    assert [r.auth for r in records] == ["missing", "wrong", "wrong", "ok"]
    everything = [caplog.text, (config.inbox / "requests.jsonl").read_text()]
    for r in records:
        everything += [r.console_line(), json.dumps(r.to_json()), repr(r.headers), r.answer]
    assert all(TOKEN not in text for text in everything)
    shown = dict(records[-1].headers)["Authorization"]
    assert "hidden" in shown and TOKEN not in shown


async def test_bodies_over_the_limit_are_refused_without_being_read_whole(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, _ = await make_client(replace(config, max_body=1024))
    big = document(sms_event("x" * 2000))
    resp = await client.post("/", data=big)  # Content-Length says it all
    assert resp.status == 413

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 256):
            yield big[i : i + 256]

    client2, _, _ = await make_client(replace(config, max_body=1024))
    resp = await client2.post("/", data=chunks())  # chunked: counted as it arrives
    assert resp.status == 413
    assert inbox_files(config.inbox) == [] and messages(config.case) == []


async def test_compressed_bodies_are_inflated_within_the_limit(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, records = await make_client(replace(config, max_body=64 << 10))
    body = document(sms_event("zipped"))
    resp = await client.post("/", data=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    assert resp.status == 200
    stored = config.inbox / inbox_files(config.inbox)[0]
    assert stored.read_bytes() == body  # the document, not its transfer encoding
    resp = await client.post(
        "/",
        data=zlib.compress(document(sms_event("deflated"))),
        headers={"Content-Encoding": "deflate"},
    )
    assert resp.status == 200
    bomb = gzip.compress(b" " * (50 << 20))  # 50 MB of spaces in about 50 KB
    assert len(bomb) < (64 << 10)
    resp = await client.post("/", data=bomb, headers={"Content-Encoding": "gzip"})
    assert resp.status == 413
    assert "decompressed" in (await resp.json())["reason"]
    resp = await client.post("/", data=b"not gzip", headers={"Content-Encoding": "gzip"})
    assert resp.status == 400
    resp = await client.post("/", data=body, headers={"Content-Encoding": "br"})
    assert resp.status == 415
    assert len(messages(config.case)) == 2
    assert [r.status for r in records] == [200, 200, 413, 400, 415]


async def test_empty_body_is_a_bad_request(make_client: MakeClient, config: ReceiverConfig) -> None:
    client, _, _ = await make_client(config)
    resp = await client.post("/", data=b"")
    assert resp.status == 400


async def test_storage_failure_is_503_never_2xx(
    make_client: MakeClient, config: ReceiverConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _, records = await make_client(config)

    def disk_full(folder: Path, name: str, data: bytes, *sync: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(inbox_module, "durable_write", disk_full)
    resp = await client.post("/", data=document(sms_event("lost?")))
    assert resp.status == 503 and int(resp.headers["Retry-After"]) > 0
    assert "disk is full" in (await resp.json())["reason"]
    monkeypatch.undo()
    assert messages(config.case) == []
    # the inbox folder disappears (an unmounted share)
    for f in config.inbox.rglob("*"):
        if f.is_file():
            f.unlink()
    (config.inbox / "quarantine").rmdir()
    config.inbox.rmdir()
    resp = await client.post("/", data=document(sms_event("lost?")))
    assert resp.status == 503
    assert [r.outcome for r in records] == ["refused", "refused"]


async def test_locked_case_is_503_and_the_kept_file_is_imported_later(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, _ = await make_client(replace(config, lock_wait_ms=100))
    other = sqlite3.connect(config.case, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        resp = await client.post("/", data=document(sms_event("while locked")))
        assert resp.status == 503 and "locked" in (await resp.json())["reason"]
        assert len(inbox_files(config.inbox)) == 1  # durably kept, not acknowledged
    finally:
        other.execute("ROLLBACK")
        other.close()
    resp = await client.post("/", data=document(sms_event("after")))
    assert resp.status == 200
    assert sorted(t for _, t in messages(config.case)) == ["after", "while locked"]


async def test_fault_injection(make_client: MakeClient, config: ReceiverConfig) -> None:
    client, _, _ = await make_client(replace(config, fail_rate=1.0))
    resp = await client.post("/", data=document(sms_event("dropped")))
    assert resp.status == 503 and "Retry-After" in resp.headers
    assert inbox_files(config.inbox) == [] and messages(config.case) == []

    client, _, _ = await make_client(replace(config, respond=500))
    resp = await client.post("/", data=document(sms_event("refused")))
    assert resp.status == 500
    assert messages(config.case) == []

    client, _, records = await make_client(replace(config, respond=201, delay_ms=50))
    resp = await client.post("/", data=document(sms_event("kept")))
    assert resp.status == 201  # a 2xx answer still means stored first
    assert [t for _, t in messages(config.case)] == ["kept"]
    assert records[0].latency_ms >= 50


async def test_fail_rate_is_a_share_of_requests(
    make_client: MakeClient, config: ReceiverConfig
) -> None:
    client, _, _ = await make_client(replace(config, fail_rate=0.5), seed=7)
    statuses = []
    for i in range(40):
        resp = await client.post("/", data=document(sms_event(f"m{i}")))
        statuses.append(resp.status)
    assert set(statuses) == {200, 503}
    assert len(messages(config.case)) == statuses.count(200)


async def test_the_token_is_hidden_wherever_a_client_puts_it(
    make_client: MakeClient, config: ReceiverConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that sends the token in another header, in the path or in the body: the
    request log, the console line and the app's detail pane never show it; the inbox keeps
    the body exactly as received."""
    from msgcopy_viewer.receiver.requestlog import REDACTED

    caplog.set_level(logging.DEBUG)
    client, _, records = await make_client(replace(config, token=TOKEN))
    body = json.dumps({"smsEvent": "x", "note": TOKEN}).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN}
    resp = await client.post("/", data=body, headers=headers)
    assert resp.status == 202  # quarantined: not a Message Copy document
    resp = await client.post(f"/{TOKEN}", data=body, headers={"X-Api-Key": f"k={TOKEN}"})
    assert resp.status == 404
    everything = [caplog.text, (config.inbox / "requests.jsonl").read_text()]
    for r in records:
        everything += [r.console_line(), json.dumps(r.to_json()), repr(r.headers), r.answer]
        everything += [r.path, r.body.decode("utf-8")]
    assert all(TOKEN not in text for text in everything)
    assert dict(records[0].headers)["X-Api-Key"] == REDACTED
    assert REDACTED in records[0].body.decode("utf-8") and REDACTED in records[1].path
    (kept,) = (config.inbox / "quarantine").glob("*.json")
    assert kept.read_bytes() == body  # the evidence is kept as received
