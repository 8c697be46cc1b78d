"""The HTTP(S) receiver: aiohttp in a thread of its own, with its own event loop.

Nothing is acknowledged (2xx) before the body is durably in the inbox (``inbox.Inbox``);
storage failures are answered 503 with ``Retry-After``. Callers (the ``serve`` command,
the app's Receiver panel) get one ``RequestRecord`` per request through a callback,
called on the receiver's thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime
import hmac
import json
import logging
import random
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from msgcopy_viewer.receiver.config import ConfigError, ReceiverConfig, format_size
from msgcopy_viewer.receiver.durable import storage_failure
from msgcopy_viewer.receiver.inbox import REQUEST_LOG, Accepted, CatchUpReport, Inbox, Prepared
from msgcopy_viewer.receiver.requestlog import (
    BODY_PREVIEW,
    JsonlLog,
    RequestRecord,
    headers_of,
    redact_token,
)
from msgcopy_viewer.receiver.tls import TlsSetup, load_tls, self_signed
from msgcopy_viewer.store.errors import CaseError

log = logging.getLogger(__name__)

PREPARE_THREADS = 16  # durable writes overlap: the file system merges their journal commits
COMMIT_BATCH = 64  # bodies recorded in one transaction at most
BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: application/json\r\n"
    b"Content-Length: 51\r\nConnection: close\r\n\r\n"
    b'{"status": "refused", "reason": "too many clients"}'
)
SLOW_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

RequestCallback = Callable[[RequestRecord], None]


class _ClientErrorFilter(logging.Filter):
    """aiohttp logs a malformed request (which it answers 400) as an error with a
    traceback; that is the client's mistake, not ours: keep it out of the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            log.debug("malformed request: %s", exc)
            return False
        return True


_framing_log = logging.getLogger("msgcopy_viewer.receiver.http")
_framing_log.addFilter(_ClientErrorFilter())


class ReceiverError(Exception):
    """The receiver cannot start; ``str()`` says why, in one line."""


@dataclass(slots=True)
class ReceiverStats:
    requests: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    refused: int = 0
    connections: int = 0


@dataclass(frozen=True, slots=True)
class ReceiverInfo:
    url: str
    fingerprint: str | None
    cert_pem: bytes | None
    caught_up: CatchUpReport


@dataclass(slots=True)
class _Exchange:
    """What one request came to, gathered while it is handled."""

    started: float
    auth: str = "none"
    size: int = 0
    body: bytes = b""
    outcome: str = "refused"
    reason: str | None = None
    message_id: str | None = None
    file: str | None = None
    conversations: frozenset[str] = field(default_factory=frozenset)
    new_messages: int = 0


class _Refusal(Exception):
    def __init__(
        self,
        status: int,
        reason: str,
        *,
        close: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.close = close
        self.headers = headers or {}


class _Guard(asyncio.Protocol):
    """Wraps aiohttp's protocol for one connection: counts connections against the limit
    and notices clients that take too long to send a request's headers (slowloris)."""

    def __init__(self, receiver: Receiver, inner: asyncio.Protocol) -> None:
        self.receiver = receiver
        self.inner: asyncio.Protocol | None = inner
        self.transport: asyncio.Transport | None = None
        self.opened = time.monotonic()
        self.waiting_since: float | None = self.opened  # waiting for a request's headers
        self.in_request = False
        self.received = False  # bytes of a request whose handler has not started

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if not self.receiver._admit(self):
            self.inner = None
            transport.write(BUSY_ANSWER)
            transport.close()
            return
        assert self.inner is not None
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if not self.in_request:
            self.received = True
            if self.waiting_since is None:
                self.waiting_since = time.monotonic()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.inner is not None:
            self.receiver._release(self)
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()


def _now_iso() -> str:
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class Receiver:
    """Runs the receiver on its own thread. ``start()`` returns once it listens (or raises
    ReceiverError); ``stop()`` lets requests in flight finish, then closes the case."""

    def __init__(
        self,
        config: ReceiverConfig,
        *,
        on_request: RequestCallback | None = None,
        seed: int | None = None,
    ) -> None:
        config.validate()
        self.config = config
        self.on_request = on_request
        self.stats = ReceiverStats()
        self._random = random.Random(seed)
        self._token = config.token.encode("utf-8") if config.token else None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._info: ReceiverInfo | None = None
        self._guards: dict[asyncio.BaseTransport, _Guard] = {}
        self._inbox = Inbox(
            config.case, config.inbox, strict=config.strict, lock_wait_ms=config.lock_wait_ms
        )
        self._writer = concurrent.futures.ThreadPoolExecutor(1, "msgcopy-receiver-writer")
        self._preparers = concurrent.futures.ThreadPoolExecutor(
            PREPARE_THREADS, "msgcopy-receiver-store"
        )
        self._jsonl: JsonlLog | None = None
        self._closed = False
        self._queue: list[tuple[Prepared, asyncio.Future[Accepted]]] = []
        self._queue_lock = threading.Lock()
        self._draining = False
        self._in_flight = 0
        self.port: int | None = None

    # -- life cycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> ReceiverInfo:
        self._thread = threading.Thread(target=self._run, name="msgcopy-receiver", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise ReceiverError("the receiver did not start in time")
        if self._error is not None:
            self._thread.join()
            err = self._error
            if isinstance(err, ReceiverError | ConfigError):
                raise ReceiverError(str(err)) from err
            reason = storage_failure(err)
            raise ReceiverError(reason or f"{type(err).__name__}: {err}") from err
        assert self._info is not None
        return self._info

    def stop(self, timeout: float | None = None) -> None:
        """Stop listening, let requests in flight finish, end the import batch. Idempotent."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._started.is_set()

    @property
    def info(self) -> ReceiverInfo | None:
        return self._info

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except (ReceiverError, ConfigError) as exc:  # said plainly by start()
            log.debug("the receiver did not start: %s", exc)
            if not self._started.is_set():
                self._error = exc
        except BaseException as exc:
            log.exception("the receiver stopped on an error")
            if not self._started.is_set():
                self._error = exc
        finally:
            if not self._started.is_set():
                with contextlib.suppress(Exception):
                    self.close_storage()
            self._started.set()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        cfg = self.config
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tls: TlsSetup | None = None
        if cfg.tls_cert is not None and cfg.tls_key is not None:
            tls = load_tls(cfg.tls_cert, cfg.tls_key)
        elif cfg.tls_self_signed:
            tls = self_signed(cfg.host)
        caught_up = await loop.run_in_executor(None, self.open_storage)
        runner: web.AppRunner | None = None
        server: asyncio.Server | None = None
        try:
            runner = web.AppRunner(self.make_app(), **self.runner_kwargs())
            await runner.setup()
            handler_factory = runner.server
            assert handler_factory is not None

            def protocol() -> asyncio.Protocol:
                return _Guard(self, handler_factory())

            try:
                server = await loop.create_server(
                    protocol,
                    host=cfg.host,
                    port=cfg.port,
                    ssl=tls.context if tls is not None else None,
                    # a client that opens a connection and never completes the handshake is
                    # not yet counted or timed by _Guard: it gets as long as for its headers
                    ssl_handshake_timeout=cfg.header_timeout_s if tls is not None else None,
                    backlog=128,
                    reuse_address=True,
                )
            except OSError as exc:
                raise ReceiverError(
                    f"cannot listen on {cfg.host} port {cfg.port}: {exc.strerror or exc}"
                ) from exc
            self.port = int(server.sockets[0].getsockname()[1])
            host = cfg.host if ":" not in cfg.host else f"[{cfg.host}]"
            scheme = "https" if tls is not None else "http"
            self._info = ReceiverInfo(
                f"{scheme}://{host}:{self.port}{cfg.path}",
                tls.fingerprint if tls is not None else None,
                tls.cert_pem if tls is not None else None,
                caught_up,
            )
            self._started.set()
            watchdog = asyncio.create_task(self._watch_slow_clients())
            await self._stop.wait()
            watchdog.cancel()
        finally:
            if server is not None:
                server.close()
            if runner is not None:
                await runner.cleanup()  # waits for requests in flight
            await loop.run_in_executor(None, self.close_storage)

    # -- parts (the tests use them on their own) -------------------------------------------------
    def open_storage(self) -> CatchUpReport:
        """Open the inbox and the case and import what an earlier run left unrecorded
        (on the writer thread). Raises ReceiverError."""
        cfg = self.config
        try:
            report = self._writer.submit(self._inbox.open).result()
        except BaseException as exc:
            self._writer.submit(self._inbox.close).result()
            if isinstance(exc, CaseError):  # already says which file and why
                raise ReceiverError(str(exc)) from exc
            reason = storage_failure(exc)
            if reason is None:
                raise
            raise ReceiverError(f"cannot use the inbox {cfg.inbox}: {reason}") from exc
        if cfg.request_log:
            self._jsonl = JsonlLog(self._inbox.folder / REQUEST_LOG)
        return report

    def close_storage(self) -> None:
        """Wait for the bodies being stored, then end the import batch and close the case."""
        if self._closed:
            return
        self._closed = True
        self._preparers.shutdown(wait=True)
        self._writer.submit(self._inbox.close).result()
        self._writer.shutdown(wait=True)
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_body)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    def runner_kwargs(self) -> dict[str, Any]:
        """aiohttp's per-connection limits (``web.AppRunner`` arguments)."""
        cfg = self.config
        return {
            "handle_signals": False,
            "access_log": None,  # our own request log; it never shows the token
            "keepalive_timeout": cfg.keepalive_timeout_s,
            "max_field_size": cfg.max_field_size,
            "max_line_size": cfg.max_field_size,
            "max_headers": cfg.max_headers,
            "auto_decompress": False,  # inflated here, within --max-body
            "shutdown_timeout": cfg.shutdown_timeout_s,
            # after refusing a body, read (and drop) what the client still sends for this
            # long, so that it sees the answer instead of a reset
            "lingering_time": cfg.lingering_s,
            "logger": _framing_log,
        }

    # -- connections -----------------------------------------------------------------------------
    def _admit(self, guard: _Guard) -> bool:
        if len(self._guards) >= self.config.max_connections:
            self._emit_connection_refusal(guard, 503, "too many clients at once")
            return False
        assert guard.transport is not None
        self._guards[guard.transport] = guard
        self.stats.connections = len(self._guards)
        return True

    def _release(self, guard: _Guard) -> None:
        if guard.transport is not None:
            self._guards.pop(guard.transport, None)
        self.stats.connections = len(self._guards)

    async def _watch_slow_clients(self) -> None:
        """Close connections whose request headers have not all arrived in time (a new
        connection that sends nothing, or one that sends its headers a byte at a time)."""
        limit = self.config.header_timeout_s
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            now = time.monotonic()
            for guard in list(self._guards.values()):
                since = guard.waiting_since
                transport = guard.transport
                if guard.in_request or since is None or now - since < limit:
                    continue
                if transport is None or transport.is_closing():
                    continue
                if guard.received:
                    self._emit_connection_refusal(
                        guard, 408, f"request headers not received within {limit:g} s"
                    )
                    transport.write(SLOW_ANSWER)
                transport.close()

    def _emit_connection_refusal(self, guard: _Guard, status: int, reason: str) -> None:
        remote = ""
        if guard.transport is not None:
            peer = guard.transport.get_extra_info("peername")
            if isinstance(peer, tuple) and peer:
                remote = str(peer[0])
        self._emit(
            RequestRecord(
                time=_now_iso(),
                remote=remote,
                method="-",
                path="-",
                status=status,
                size=0,
                latency_ms=(time.monotonic() - guard.opened) * 1000,
                outcome="refused",
                reason=reason,
            )
        )

    # -- requests ------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ex = _Exchange(started=time.perf_counter())
        guard = self._guards.get(request.transport) if request.transport is not None else None
        if guard is not None:
            guard.in_request = True
            guard.waiting_since = None
            guard.received = False
        self._in_flight += 1
        status = 500
        answer: dict[str, Any] = {"status": "error", "reason": "internal error"}
        headers: dict[str, str] = {}
        close = False
        try:
            status, answer = await self._answer(request, ex)
        except _Refusal as refusal:
            status = refusal.status
            ex.outcome, ex.reason = "refused", refusal.reason
            answer = {"status": "refused", "reason": refusal.reason}
            headers = refusal.headers
            close = refusal.close
        except asyncio.CancelledError:
            ex.outcome, ex.reason = "refused", "the receiver stopped or the client left"
            self._record(request, ex, 503, answer)
            raise
        except Exception:
            log.exception("unexpected error handling a request")
            ex.outcome, ex.reason = "refused", "internal error (see the log)"
        finally:
            self._in_flight -= 1
            if guard is not None:
                guard.in_request = False
        text = json.dumps(answer, ensure_ascii=False)
        response = web.Response(
            status=status, text=text, content_type="application/json", headers=headers
        )
        if close:
            response.force_close()
        self._record(request, ex, status, answer, text)
        return response

    async def _answer(self, request: web.Request, ex: _Exchange) -> tuple[int, dict[str, Any]]:
        cfg = self.config
        if request.path != cfg.path:
            raise _Refusal(404, f"nothing here: messages are accepted at {cfg.path}")
        if request.method != "POST":
            raise _Refusal(
                405,
                f"{request.method} is not allowed: send messages with POST",
                headers={"Allow": "POST"},
            )
        self._check_auth(request, ex)
        if cfg.respond is not None and not 200 <= cfg.respond < 300:
            raise _Refusal(cfg.respond, f"answering {cfg.respond} as asked (--respond)")
        if cfg.fail_rate and self._random.random() < cfg.fail_rate:
            raise _Refusal(
                503,
                "injected failure (--fail-rate): not stored",
                headers={"Retry-After": str(cfg.retry_after_s)},
            )
        body = await self._read_body(request, ex)
        accepted = await self._store(body, ex)
        if cfg.delay_ms:
            await asyncio.sleep(cfg.delay_ms / 1000)
        ex.outcome = accepted.outcome
        ex.file = accepted.relpath
        ex.message_id = accepted.message_id
        ex.conversations = accepted.conversations
        ex.new_messages = accepted.new_messages
        status = 202 if accepted.outcome == "quarantined" else 200
        if cfg.respond is not None:
            status = cfg.respond
        if accepted.outcome == "quarantined":
            ex.reason = accepted.reason
            return status, {
                "status": "quarantined",
                "reason": accepted.reason,
                "file": accepted.relpath,
            }
        ex.reason = accepted.reason if accepted.outcome == "duplicate" else None
        return status, {
            "status": "stored",
            "id": accepted.message_id,
            "duplicate": accepted.outcome == "duplicate",
        }

    async def _store(self, body: bytes, ex: _Exchange) -> Accepted:
        """Durable write, then import. When this is the only request and the only client
        (the platform's case: one at a time) both run right here, in the receiver's thread:
        handing them to other threads costs more than it saves. Otherwise the writes run
        in parallel threads and the imports are grouped on the writer thread."""
        with self._queue_lock:
            # One connection, one request: the platform's way. (With several connections
            # open, the others' requests may be waiting unread while this thread writes.)
            inline = self._in_flight == 1 and len(self._guards) <= 1 and not self._draining
            if inline:
                self._draining = True  # the case connection is this thread's for now
        if inline:
            try:
                try:
                    prepared = self._inbox.prepare(body)
                except Exception as exc:
                    self._storage_refusal(exc)
                if prepared.relpath is None:  # strict mode
                    raise _Refusal(422, f"not a Message Copy document: {prepared.reason}")
                try:
                    return self._inbox.commit_many([prepared])[0]
                except Exception as exc:
                    ex.file = prepared.relpath
                    self._storage_refusal(exc)
            finally:
                with self._queue_lock:
                    self._draining = False
        loop = asyncio.get_running_loop()
        try:
            prepared = await loop.run_in_executor(self._preparers, self._inbox.prepare, body)
        except Exception as exc:
            self._storage_refusal(exc)
        if prepared.relpath is None:  # strict mode
            raise _Refusal(422, f"not a Message Copy document: {prepared.reason}")
        try:
            return await self._commit(prepared)
        except Exception as exc:
            ex.file = prepared.relpath
            self._storage_refusal(exc)

    async def _commit(self, prepared: Prepared) -> Accepted:
        """Record a prepared body in the case on the writer thread. Bodies that arrive while
        the writer is busy are recorded together, in one transaction (group commit)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Accepted] = loop.create_future()
        with self._queue_lock:
            self._queue.append((prepared, future))
            if not self._draining:
                self._draining = True
                self._writer.submit(self._drain, loop)
        return await asyncio.shield(future)  # a client that leaves does not undo the write

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        """Writer thread: record everything queued, batch by batch, until the queue is empty."""
        while True:
            with self._queue_lock:
                batch, self._queue = self._queue[:COMMIT_BATCH], self._queue[COMMIT_BATCH:]
                if not batch:
                    self._draining = False
                    return
            try:
                results: list[Accepted] | BaseException = self._inbox.commit_many(
                    [p for p, _ in batch]
                )
            except BaseException as exc:  # handed to each waiting request
                results = exc
            for n, (_, future) in enumerate(batch):
                outcome = results if isinstance(results, BaseException) else results[n]
                loop.call_soon_threadsafe(_settle, future, outcome)

    def _storage_refusal(self, exc: Exception) -> NoReturn:
        reason = storage_failure(exc)
        if reason is None:
            raise exc
        log.warning("cannot store a message: %s", reason)
        raise _Refusal(
            503,
            f"cannot store the message now: {reason}",
            headers={"Retry-After": str(self.config.retry_after_s)},
        )

    def _check_auth(self, request: web.Request, ex: _Exchange) -> None:
        if self._token is None:
            return
        given = request.headers.get("Authorization")
        challenge = {"WWW-Authenticate": 'Bearer realm="msgcopy-viewer"'}
        if not given:
            ex.auth = "missing"
            raise _Refusal(401, "a bearer token is required", headers=challenge)
        scheme, _, value = given.strip().partition(" ")
        ok = hmac.compare_digest(value.strip().encode("utf-8"), self._token)
        if scheme.lower() != "bearer" or not ok:
            ex.auth = "wrong"
            challenge["WWW-Authenticate"] += ', error="invalid_token"'
            raise _Refusal(401, "the bearer token is not the expected one", headers=challenge)
        ex.auth = "ok"

    async def _read_body(self, request: web.Request, ex: _Exchange) -> bytes:
        cfg = self.config
        limit = cfg.max_body
        too_big = f"the body is larger than the limit of {format_size(limit)}"
        length = request.content_length
        if length is not None and length > limit:
            raise _Refusal(413, too_big, close=True)
        encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise _Refusal(415, f"unsupported Content-Encoding {encoding!r} (use gzip or none)")
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + cfg.body_timeout_s
        stream = request.content
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                async with asyncio.timeout(min(cfg.body_idle_timeout_s, remaining)):
                    chunk = await stream.readany()
                if not chunk:
                    break
                size += len(chunk)
                ex.size = size
                if size > limit:
                    raise _Refusal(413, too_big, close=True)
                chunks.append(chunk)
        except TimeoutError:
            raise _Refusal(408, "the body arrived too slowly", close=True) from None
        except (RequestPayloadError, ValueError) as exc:  # malformed chunked framing
            raise _Refusal(400, f"bad request framing: {exc}", close=True) from None
        raw = b"".join(chunks)
        body = raw if encoding in ("identity", "") else _inflate(raw, encoding, limit, too_big)
        ex.body = body[:BODY_PREVIEW]
        if not body:
            raise _Refusal(400, "the body is empty")
        return body

    # -- reporting -----------------------------------------------------------------------------
    def _record(
        self,
        request: web.Request,
        ex: _Exchange,
        status: int,
        answer: dict[str, Any],
        text: str | None = None,
    ) -> None:
        record = RequestRecord(
            time=_now_iso(),
            remote=request.remote or "",
            method=request.method,
            path=request.path,
            status=status,
            size=ex.size,
            latency_ms=(time.perf_counter() - ex.started) * 1000,
            outcome=ex.outcome,
            reason=ex.reason,
            auth=ex.auth,
            message_id=ex.message_id,
            file=ex.file,
            conversations=ex.conversations,
            new_messages=ex.new_messages,
            headers=headers_of(request.headers.items()),
            body=ex.body,
            answer=text if text is not None else json.dumps(answer, ensure_ascii=False),
        )
        self._emit(record)

    def _emit(self, record: RequestRecord) -> None:
        if self.config.token:
            record = redact_token(record, self.config.token)
        s = self.stats
        s.requests += 1
        if record.outcome == "stored":
            s.stored += 1
        elif record.outcome == "duplicate":
            s.duplicates += 1
        elif record.outcome == "quarantined":
            s.quarantined += 1
        else:
            s.refused += 1
        if self._jsonl is not None:
            self._jsonl.write(record)
        if self.on_request is not None:
            try:
                self.on_request(record)
            except Exception:
                log.exception("request callback failed")


def _settle(future: asyncio.Future[Accepted], outcome: Accepted | BaseException) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _inflate(raw: bytes, encoding: str, limit: int, too_big: str) -> bytes:
    """Decompress a gzip or deflate body, refusing (413) as soon as it would exceed ``limit``."""
    if encoding in ("gzip", "x-gzip"):
        candidates = [16 + zlib.MAX_WBITS]
    else:  # "deflate" is zlib-wrapped by the standard, raw in some clients
        candidates = [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    last: zlib.error | None = None
    for wbits in candidates:
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(raw, limit + 1)
        except zlib.error as exc:
            last = exc
            continue
        if len(out) > limit or d.unconsumed_tail:
            raise _Refusal(413, f"{too_big} once decompressed", close=True)
        if not d.eof:
            raise _Refusal(400, f"the {encoding} body is truncated")
        return out
    raise _Refusal(400, f"the body is not valid {encoding}: {last}")
