"""The receiver as it runs: its own thread, connection limits, TLS, start and stop."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from msgcopy_viewer.receiver.config import ConfigError, ReceiverConfig, default_inbox, parse_size
from msgcopy_viewer.receiver.requestlog import RequestRecord
from msgcopy_viewer.receiver.server import Receiver, ReceiverError
from tests.integration.vendor import document, sms_event


@pytest.fixture
def config(tmp_path: Path) -> ReceiverConfig:
    case = tmp_path / "evidence.mcase"
    return ReceiverConfig(case=case, inbox=default_inbox(case), port=0)


@pytest.fixture
def running(config: ReceiverConfig) -> Iterator[list[Receiver]]:
    started: list[Receiver] = []
    yield started
    for r in started:
        r.stop()


def start(
    running: list[Receiver], cfg: ReceiverConfig, records: list[RequestRecord] | None = None
) -> Receiver:
    receiver = Receiver(cfg, on_request=records.append if records is not None else None)
    running.append(receiver)
    receiver.start()
    return receiver


def post(
    url: str, body: bytes, *, context: ssl.SSLContext | None = None
) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def raw(port: int, data: bytes, *, timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                got = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not got:
                break
            chunks.append(got)
        return b"".join(chunks)


def count(case: Path) -> int:
    with sqlite3.connect(case) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def test_sizes() -> None:
    assert parse_size("32MB") == 32 << 20
    assert parse_size("512KB") == 512 << 10
    assert parse_size("1000") == 1000
    assert parse_size("1.5m") == int(1.5 * (1 << 20))
    with pytest.raises(ConfigError):
        parse_size("lots")


def test_other_addresses_need_a_token_or_an_explicit_flag(config: ReceiverConfig) -> None:
    with pytest.raises(ConfigError, match="without a token"):
        replace(config, host="0.0.0.0").validate()
    replace(config, host="0.0.0.0", token="t").validate()
    replace(config, host="0.0.0.0", allow_public_without_token=True).validate()
    replace(config, host="::1").validate()
    replace(config, host="localhost").validate()


def test_runs_in_its_own_thread_and_stops_cleanly(
    running: list[Receiver], config: ReceiverConfig
) -> None:
    records: list[RequestRecord] = []
    receiver = start(running, config, records)
    assert receiver.info is not None and receiver.info.url.startswith("http://127.0.0.1:")
    status, answer = post(receiver.info.url, document(sms_event("hello")))
    assert status == 200 and answer["status"] == "stored"
    receiver.stop()
    assert not receiver.running
    assert count(config.case) == 1
    with sqlite3.connect(config.case) as conn:
        assert conn.execute("SELECT origin, status FROM import_batches").fetchall() == [
            ("receiver", "completed")
        ]
    assert records[0].remote == "127.0.0.1"


def test_stop_lets_a_request_in_flight_finish(
    running: list[Receiver], config: ReceiverConfig
) -> None:
    receiver = start(running, replace(config, delay_ms=600))
    assert receiver.info is not None
    url = receiver.info.url
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(post(url, document(sms_event("late")))[0]))
    t.start()
    while not list(config.inbox.glob("*.json")):  # stored; the answer waits 600 ms
        t.join(0.01)
    receiver.stop()
    t.join()
    assert result == [200]
    assert count(config.case) == 1


def test_start_imports_inbox_files_left_unrecorded(
    running: list[Receiver], config: ReceiverConfig
) -> None:
    config.inbox.mkdir()
    # a crash between the durable write and the import: the file is there, the case knows nothing
    (config.inbox / "0b2f-left-behind.json").write_bytes(document(sms_event("survivor")))
    (config.inbox / ".incoming-half.json.tmp").write_bytes(b'{"smsEv')  # never acknowledged
    receiver = start(running, config)
    assert receiver.info is not None
    assert receiver.info.caught_up.files == 1 and receiver.info.caught_up.messages == 1
    assert count(config.case) == 1
    assert not (config.inbox / ".incoming-half.json.tmp").exists()
    receiver.stop()
    again = start(running, config)  # nothing left to catch up
    assert again.info is not None and again.info.caught_up.files == 0


def test_port_in_use_is_a_plain_error(running: list[Receiver], config: ReceiverConfig) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ReceiverError, match=f"port {port}"):
            Receiver(replace(config, port=port)).start()


def test_slow_clients_are_cut_off(running: list[Receiver], config: ReceiverConfig) -> None:
    records: list[RequestRecord] = []
    receiver = start(running, replace(config, header_timeout_s=0.5), records)
    assert receiver.port is not None
    # headers that never finish (slowloris)
    answer = raw(receiver.port, b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
    assert answer.startswith(b"HTTP/1.1 408")
    assert records[-1].status == 408 and records[-1].outcome == "refused"
    # a body that stops arriving
    receiver2 = start(
        running,
        replace(config, inbox=config.inbox.with_name("other"), body_idle_timeout_s=0.5),
    )
    assert receiver2.port is not None
    answer = raw(
        receiver2.port, b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"smsEvent"'
    )
    assert answer.startswith(b"HTTP/1.1 408")


def test_connection_limit(running: list[Receiver], config: ReceiverConfig) -> None:
    receiver = start(running, replace(config, max_connections=2))
    assert receiver.port is not None
    held = [socket.create_connection(("127.0.0.1", receiver.port)) for _ in range(2)]
    try:
        while receiver.stats.connections < 2:
            held[0].settimeout(0.01)
            try:
                held[0].recv(1)
            except TimeoutError:
                pass
        answer = raw(receiver.port, b"")
        assert answer.startswith(b"HTTP/1.1 503") and b"Retry-After" in answer
    finally:
        for s in held:
            s.close()


def test_oversized_headers_and_bad_framing_are_400(
    running: list[Receiver], config: ReceiverConfig
) -> None:
    receiver = start(running, config)
    assert receiver.port is not None
    huge = b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw(receiver.port, huge).split(b" ")[1] in (b"400", b"431")
    bad_chunks = (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
    )
    assert raw(receiver.port, bad_chunks).split(b" ")[1] == b"400"
    assert raw(receiver.port, b"NONSENSE\r\n\r\n").split(b" ")[1] == b"400"
    assert count(config.case) == 0


def test_self_signed_tls(running: list[Receiver], config: ReceiverConfig) -> None:
    receiver = start(running, replace(config, tls_self_signed=True))
    info = receiver.info
    assert info is not None and info.url.startswith("https://") and info.cert_pem
    cert = x509.load_pem_x509_certificate(info.cert_pem)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    assert info.fingerprint == ":".join(digest[i : i + 2] for i in range(0, 64, 2))
    ctx = ssl.create_default_context(cadata=info.cert_pem.decode())
    status, _ = post(info.url, document(sms_event("secure")), context=ctx)
    assert status == 200
    with pytest.raises(urllib.error.URLError):  # not trusted without the certificate
        post(info.url, document(sms_event("secure")), context=ssl.create_default_context())


def test_given_certificate_and_key(
    running: list[Receiver], config: ReceiverConfig, tmp_path: Path
) -> None:
    from msgcopy_viewer.receiver.tls import self_signed

    made = self_signed("127.0.0.1")
    cert = tmp_path / "cert.pem"
    cert.write_bytes(made.cert_pem)
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    with pytest.raises(ReceiverError, match="cannot use the certificate"):
        Receiver(replace(config, tls_cert=cert, tls_key=key)).start()


def test_sender_over_tls_trusts_only_what_it_is_told_to(
    running: list[Receiver], config: ReceiverConfig, tmp_path: Path
) -> None:
    import asyncio

    from msgcopy_viewer.receiver.sender import Sender, SendState, SendSummary, client_ssl

    receiver = start(running, replace(config, tls_self_signed=True, token="tok"))
    info = receiver.info
    assert info is not None and info.cert_pem is not None
    ca = tmp_path / "receiver-cert.pem"
    ca.write_bytes(info.cert_pem)
    msg = tmp_path / "out" / "m.json"
    msg.parent.mkdir()
    msg.write_bytes(document(sms_event("over TLS")))

    def run(name: str, ssl_setting: ssl.SSLContext | bool) -> SendSummary:
        state = SendState.load_or_create(tmp_path / f"{name}.jsonl", info.url, [str(msg)])
        sender = Sender(info.url, state, interval=0, cycles=1, token="tok", ssl_setting=ssl_setting)
        summary = asyncio.run(sender.run())
        state.close(finished=summary.complete)
        return summary

    untrusted = run("default", ssl_setting=client_ssl(info.url, insecure=False, ca=None))
    assert untrusted.acknowledged == 0
    assert "certificate" in untrusted.remaining[0][1]
    trusted = run("ca", ssl_setting=client_ssl(info.url, insecure=False, ca=ca))
    assert trusted.acknowledged == 1
    insecure = run("insecure", ssl_setting=client_ssl(info.url, insecure=True, ca=None))
    assert insecure.acknowledged == 1 and insecure.statuses == {200: 1}
    assert count(config.case) == 1  # the second delivery was a duplicate


def test_start_failures_are_plain_and_leave_nothing_behind(
    config: ReceiverConfig, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "c.mcase"
    with pytest.raises(ReceiverError, match="does not exist"):
        Receiver(replace(config, case=missing, inbox=default_inbox(missing))).start()
    assert not (tmp_path / "nowhere").exists()
    not_a_case = tmp_path / "x.mcase"
    not_a_case.write_text("hello")
    with pytest.raises(ReceiverError, match="not a msgcopy-viewer case"):
        Receiver(replace(config, case=not_a_case, inbox=default_inbox(not_a_case))).start()
    assert not default_inbox(not_a_case).exists()
    with pytest.raises(ReceiverError, match="no such file"):
        Receiver(replace(config, tls_cert=tmp_path / "c.pem", tls_key=tmp_path / "k.pem")).start()


def test_a_tls_handshake_never_finished_is_cut_off(
    running: list[Receiver], config: ReceiverConfig
) -> None:
    """A client that opens connections and never starts TLS is not counted against the
    connection limit until its handshake ends: it is cut off as soon as one that sends its
    headers too slowly (asyncio's own limit would be a minute)."""
    receiver = start(running, replace(config, tls_self_signed=True, header_timeout_s=0.5))
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=30) as s:
        assert s.recv(1) == b""  # closed by the receiver, long before the socket's timeout


def test_a_self_signed_certificate_for_every_address_names_this_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from msgcopy_viewer.receiver import tls

    monkeypatch.setattr(tls.socket, "gethostname", lambda: "evidence-pc.example")
    for host in ("0.0.0.0", "::"):
        cert = x509.load_pem_x509_certificate(tls.self_signed(host).cert_pem)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert "evidence-pc.example" in names.get_values_for_type(x509.DNSName)
    monkeypatch.setattr(tls.socket, "gethostname", lambda: "bad name\x1b")
    cert = x509.load_pem_x509_certificate(tls.self_signed("0.0.0.0").cert_pem)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]


def test_a_combined_pem_gives_its_certificate_never_its_key(tmp_path: Path) -> None:
    from msgcopy_viewer.receiver.tls import load_tls, save_certificate, self_signed

    made = self_signed("127.0.0.1")
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    combined = tmp_path / "combined.pem"
    combined.write_bytes(made.cert_pem + key_pem)
    saved = tmp_path / "out.pem"
    save_certificate(combined.read_bytes(), saved)
    assert saved.read_bytes() == made.cert_pem
    with pytest.raises(ConfigError, match="no certificate"):
        save_certificate(key_pem, tmp_path / "none.pem")
    assert not (tmp_path / "none.pem").exists()
    with pytest.raises(ConfigError):  # the key does not belong to the certificate
        load_tls(combined, combined)
