"""A sender that posts files the way the Message Copy platform does.

One request at a time; at most ``batch`` messages per cycle and ``interval`` seconds
between cycles; a message answered 2xx leaves the queue, anything else (another
status, a timeout, a connection error) is tried again in the next cycle. The queue is
kept in a state file (JSON Lines, appended as messages are acknowledged), so an
interrupted run picks up where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import os
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from msgcopy_viewer.core.text_safety import escape_line

log = logging.getLogger(__name__)

STATE_VERSION = 1
DEFAULT_BATCH = 50
DEFAULT_INTERVAL = 240.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ATTEMPTS = 10
ANSWER_PREVIEW = 4096  # bytes of an answer read for the summary


class SendError(Exception):
    """The sender cannot run (bad arguments, unreadable state); ``str()`` says why."""


@dataclass(slots=True)
class SendProgress:
    cycle: int
    queued: int  # messages still to be acknowledged
    total: int
    sent: int  # requests made in this run
    acknowledged: int
    retried: int
    last: str  # "path → status"


@dataclass(slots=True)
class SendSummary:
    total: int = 0
    sent: int = 0
    acknowledged: int = 0
    retried: int = 0
    cycles: int = 0
    remaining: list[tuple[str, str]] = field(default_factory=list)  # (path, last reason)
    gave_up: list[tuple[str, str]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.remaining and not self.gave_up

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "retried": self.retried,
            "cycles": self.cycles,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "remaining": [{"path": p, "reason": r} for p, r in self.remaining],
            "failed": [{"path": p, "reason": r} for p, r in self.gave_up],
        }


@dataclass(slots=True)
class _Item:
    path: str
    attempts: int = 0
    last_reason: str = ""


def collect_files(paths: Sequence[str | Path]) -> list[str]:
    """Files named, and the files in folders named (recursively, sorted), as absolute paths."""
    out: list[str] = []
    for p in paths:
        path = Path(p).expanduser().absolute()
        if path.is_dir():
            found = [
                str(f)
                for f in path.rglob("*")
                if f.is_file() and not f.name.startswith(".") and not f.is_symlink()
            ]
            out.extend(sorted(found))
        elif path.is_file():
            out.append(str(path))
        else:
            raise SendError(f"{p}: no such file or folder")
    seen: set[str] = set()
    return [f for f in out if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]


def default_state_path(state_dir: Path, url: str, files: Sequence[str]) -> Path:
    """One state file per (URL, set of files), so the same command resumes its own run."""
    h = hashlib.sha256(url.encode("utf-8"))
    for f in sorted(files):
        h.update(b"\0" + f.encode("utf-8", "surrogateescape"))
    return state_dir / f"send-{h.hexdigest()[:16]}.jsonl"


class SendState:
    """The queue on disk: a header line, one line per file, then one line per event."""

    def __init__(self, path: Path, url: str, items: list[_Item], acknowledged: set[str]) -> None:
        self.path = path
        self.url = url
        self.items = items
        self.acknowledged = acknowledged
        self._fh: Any = None

    @classmethod
    def load_or_create(cls, path: Path, url: str, files: Sequence[str]) -> SendState:
        if path.exists():
            state = cls._load(path, url)
            queued = {i.path for i in state.items} | state.acknowledged
            if queued != set(files):
                raise SendError(
                    f"the state file {path} holds the queue of another set of files; give the "
                    "same files to resume that run, or another --state file"
                )
            return state
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"version": STATE_VERSION, "url": url}) + "\n")
            for f in files:
                fh.write(json.dumps({"queue": f}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return cls(path, url, [_Item(f) for f in files], set())

    @classmethod
    def _load(cls, path: Path, url: str) -> SendState:
        items: dict[str, _Item] = {}
        acked: set[str] = set()
        try:
            with open(path, encoding="utf-8") as fh:
                header = json.loads(fh.readline())
                if header.get("version") != STATE_VERSION:
                    raise SendError(f"{path} is not a state file of this program")
                if header.get("url") != url:
                    raise SendError(
                        f"the state file {path} belongs to a run against {header.get('url')}; "
                        "give another --state file"
                    )
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        break  # a line cut short by a crash: everything before it holds
                    if "queue" in entry:
                        items.setdefault(entry["queue"], _Item(entry["queue"]))
                    elif "ack" in entry:
                        acked.add(entry["ack"])
                    elif "fail" in entry and entry["fail"] in items:
                        item = items[entry["fail"]]
                        item.attempts += 1
                        item.last_reason = str(entry.get("reason", ""))
        except (OSError, ValueError, AttributeError, TypeError, KeyError) as exc:
            raise SendError(f"cannot read the state file {path}: {exc}") from exc
        return cls(path, url, [i for i in items.values() if i.path not in acked], acked)

    def _append(self, entry: dict[str, Any]) -> None:
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()

    def ack(self, item: _Item) -> None:
        self.acknowledged.add(item.path)
        self._append({"ack": item.path})

    def fail(self, item: _Item, reason: str) -> None:
        item.attempts += 1
        item.last_reason = reason
        self._append({"fail": item.path, "reason": reason})

    def close(self, *, finished: bool) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if finished:
            with contextlib.suppress(OSError):
                self.path.unlink()


def client_ssl(url: str, *, insecure: bool, ca: Path | None) -> ssl.SSLContext | bool:
    if not url.lower().startswith("https:"):
        return True
    if insecure:
        return False
    ctx = ssl.create_default_context()
    if ca is not None:
        try:
            ctx.load_verify_locations(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            raise SendError(f"cannot use {ca} as a CA certificate: {exc}") from exc
    return ctx


class Sender:
    def __init__(
        self,
        url: str,
        state: SendState,
        *,
        token: str | None = None,
        batch: int = DEFAULT_BATCH,
        interval: float = DEFAULT_INTERVAL,
        cycles: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        ssl_setting: ssl.SSLContext | bool = True,
        progress: Callable[[SendProgress], None] | None = None,
    ) -> None:
        if batch < 1:
            raise SendError("--batch must be at least 1")
        if interval < 0:
            raise SendError("--interval cannot be negative")
        if cycles is not None and cycles < 1:
            raise SendError("--cycles must be at least 1")
        if not math.isfinite(interval):
            raise SendError("--interval must be a number of seconds")
        if not (timeout > 0 and math.isfinite(timeout)):
            raise SendError("--timeout must be a number of seconds greater than 0")
        if max_attempts < 1:
            raise SendError("--max-attempts must be at least 1")
        self.url = url
        self.state = state
        self.token = token
        self.batch = batch
        self.interval = interval
        self.cycles = cycles
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.ssl = ssl_setting
        self.progress = progress
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        """Finish the request in flight, then stop (from the sender's event loop)."""
        self._stop.set()

    async def run(self) -> SendSummary:
        state = self.state
        queue = list(state.items)
        summary = SendSummary(total=len(queue) + len(state.acknowledged))
        gave_up: list[_Item] = []
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        connector = aiohttp.TCPConnector(ssl=self.ssl, limit=1)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            cycle = 0
            while queue and not self._stop.is_set():
                if self.cycles is not None and cycle >= self.cycles:
                    break
                if cycle > 0 and self.interval > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), self.interval)
                    if self._stop.is_set():
                        break
                cycle += 1
                summary.cycles = cycle
                this_cycle, queue = queue[: self.batch], queue[self.batch :]
                retry: list[_Item] = []
                for n, item in enumerate(this_cycle):
                    if self._stop.is_set():
                        retry.extend(this_cycle[n:])
                        break
                    ok, reason, status, down = await self._post(session, item, headers)
                    summary.sent += 1
                    if status is not None:
                        summary.statuses[status] = summary.statuses.get(status, 0) + 1
                    if ok:
                        state.ack(item)
                        summary.acknowledged += 1
                    else:
                        state.fail(item, reason)
                        if item.attempts >= self.max_attempts:
                            gave_up.append(item)
                        else:
                            summary.retried += 1  # tried again next cycle
                            retry.append(item)
                    self._report(
                        summary,
                        cycle,
                        len(queue) + len(this_cycle) - n - 1 + len(retry),
                        item,
                        reason,
                    )
                    if down:  # the endpoint is unreachable: the rest waits for the next cycle
                        retry.extend(this_cycle[n + 1 :])
                        break
                queue = retry + queue
        summary.remaining = [(i.path, i.last_reason or "not sent yet") for i in queue]
        summary.gave_up = [(i.path, i.last_reason) for i in gave_up]
        return summary

    async def _post(
        self, session: aiohttp.ClientSession, item: _Item, headers: dict[str, str]
    ) -> tuple[bool, str, int | None, bool]:
        """(acknowledged, reason, status, endpoint unreachable)."""
        try:
            data = await asyncio.to_thread(Path(item.path).read_bytes)
        except OSError as exc:
            return False, f"cannot read the file: {exc.strerror or exc}", None, False
        try:
            async with session.post(self.url, data=data, headers=headers) as resp:
                # an endpoint's answer is read only as far as the summary shows it
                head = await resp.content.read(ANSWER_PREVIEW)
                try:
                    text = head.decode(resp.charset or "utf-8", "replace")
                except LookupError:  # a charset Python does not know
                    text = head.decode("utf-8", "replace")
                if 200 <= resp.status < 300:
                    return True, f"{resp.status}", resp.status, False
                return False, f"HTTP {resp.status}: {_short(text)}", resp.status, False
        except TimeoutError:
            return False, f"no answer within {self.timeout:g} s", None, False
        except aiohttp.ClientConnectorCertificateError as exc:
            return False, f"TLS certificate not trusted: {exc.certificate_error}", None, True
        except aiohttp.ClientConnectorError as exc:
            return False, f"cannot connect: {exc.os_error.strerror or exc}", None, True
        except aiohttp.ClientError as exc:
            return False, f"connection error: {exc or type(exc).__name__}", None, False

    def _report(
        self, summary: SendSummary, cycle: int, queued: int, item: _Item, reason: str
    ) -> None:
        if self.progress is None:
            return
        self.progress(
            SendProgress(
                cycle=cycle,
                queued=queued,
                total=summary.total,
                sent=summary.sent,
                acknowledged=len(self.state.acknowledged),
                retried=summary.retried,
                last=f"{Path(item.path).name} → {reason}",
            )
        )


def _short(text: str, limit: int = 200) -> str:
    """An endpoint's answer as one short line of plain text: control characters (a hostile
    endpoint's terminal escape sequences) are shown escaped (``\\x1b``), never sent to a
    terminal."""
    text = escape_line(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
