"""The receiver's request log: one record per request, for the console, the inbox's
``requests.jsonl`` and the app. The token never appears in any of them."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

OUTCOMES = ("stored", "duplicate", "quarantined", "refused")
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
BODY_PREVIEW = 16 << 10  # what the app keeps of each body


@dataclass(frozen=True, slots=True)
class RequestRecord:
    time: str  # ISO 8601 UTC, milliseconds
    remote: str
    method: str
    path: str
    status: int
    size: int  # body bytes received (as sent, before decompression)
    latency_ms: float
    outcome: str  # stored | duplicate | quarantined | refused
    reason: str | None = None
    auth: str = "none"  # none (no token required) | ok | missing | wrong
    message_id: str | None = None
    file: str | None = None  # inbox-relative file the body was kept in
    conversations: frozenset[str] = field(default_factory=frozenset)
    new_messages: int = 0
    headers: tuple[tuple[str, str], ...] = ()  # secrets masked
    body: bytes = b""  # the first BODY_PREVIEW bytes as received
    answer: str = ""  # the response body

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "remote": self.remote,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "size": self.size,
            "latency_ms": round(self.latency_ms, 2),
            "outcome": self.outcome,
            "reason": self.reason,
            "auth": self.auth,
            "id": self.message_id,
            "file": self.file,
        }

    def console_line(self) -> str:
        parts = [
            self.time,
            self.remote or "-",
            self.method,
            _printable(self.path),
            str(self.status),
            f"{self.size}B",
            f"{self.latency_ms:.1f}ms",
            self.outcome,
        ]
        if self.message_id:
            parts.append(f"id={self.message_id}")
        if self.auth != "none":
            parts.append(f"auth={self.auth}")
        if self.reason:
            parts.append(f"({_printable(self.reason)})")
        return " ".join(parts)


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def mask_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Headers as received, with credentials replaced by a description of their shape."""
    out = []
    for name, value in headers:
        if name.lower() in SECRET_HEADERS:
            scheme, _, secret = value.partition(" ")
            if secret:
                value = f"{scheme} •••• ({len(secret.strip())} characters, hidden)"
            else:
                value = f"•••• ({len(value)} characters, hidden)"
        out.append((name, value))
    return tuple(out)


REDACTED = "•••• (the token, hidden)"


def redact_token(record: RequestRecord, token: str) -> RequestRecord:
    """``record`` with every occurrence of the receiver's token replaced: a client may put it
    where no header rule expects it (another header, the path, the body), and the token must
    never be shown or logged. The inbox keeps the body exactly as received."""
    if not token:
        return record

    def clean(text: str) -> str:
        return text.replace(token, REDACTED) if token in text else text

    raw = token.encode("utf-8")
    body = record.body.replace(raw, REDACTED.encode("utf-8")) if raw in record.body else record.body
    return replace(
        record,
        path=clean(record.path),
        reason=clean(record.reason) if record.reason is not None else None,
        headers=tuple((clean(k), clean(v)) for k, v in record.headers),
        body=body,
        answer=clean(record.answer),
    )


def headers_of(raw: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = raw.items() if isinstance(raw, Mapping) else raw
    return mask_headers((str(k), str(v)) for k, v in items)


class JsonlLog:
    """Appends records to ``requests.jsonl`` (one JSON object a line); thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, record: RequestRecord) -> None:
        line = (json.dumps(record.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self._fd is None:
                return
            try:
                os.write(self._fd, line)
            except OSError as exc:  # a full disk must not stop the receiver from answering
                log.warning("cannot append to %s: %s", self.path, exc.strerror or exc)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
