"""Receiver settings, sizes such as ``32MB``, and the address rules."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BODY = 32 << 20
DEFAULT_PORT = 8080
INBOX_SUFFIX = ".inbox"
SELF_SIGNED_CERT_FILE = "receiver-cert.pem"  # in the inbox: the certificate, for 'send --ca'

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


class ConfigError(ValueError):
    """A setting the user must correct; ``str()`` says how."""


def parse_size(text: str) -> int:
    """``32MB``, ``512KB``, ``1.5M`` or a byte count → bytes (KB = 1024 bytes)."""
    m = _SIZE.match(text)
    if m is None:
        raise ConfigError(f"not a size: {text!r} (use a byte count, or e.g. 512KB, 32MB)")
    unit = (m.group(2) or "").lower()[:1]
    value = int(float(m.group(1)) * _UNITS[unit])
    if value < 1:
        raise ConfigError(f"the size must be at least 1 byte: {text!r}")
    return value


def read_token_file(path: Path) -> str:
    """The token kept in a file (surrounding white space removed); ConfigError when the
    file cannot be read or holds no token. The token itself is never put in a message."""
    try:
        token = path.expanduser().read_text("utf-8-sig").strip()  # (Notepad writes a BOM)
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file holding a token") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    if not token:
        raise ConfigError(f"the token file {path} is empty")
    return token


def token_problem(token: str | None) -> str | None:
    """Why a token cannot be used (it is never quoted), or None. A bearer token is
    printable ASCII without spaces (RFC 6750's b64token characters and more): a token
    with a line break, say from a token file of two lines, could not be sent as a header."""
    if token is None:
        return None
    if not token:
        return "the token is empty"
    if any(c.isspace() for c in token):
        return "the token must not contain spaces or line breaks"
    if not all(0x21 <= ord(c) <= 0x7E for c in token):
        return "the token must be printable ASCII (no control or non-ASCII characters)"
    return None


def format_size(n: int) -> str:
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} MB"
    if n >= 1 << 10 and n % (1 << 10) == 0:
        return f"{n >> 10} KB"
    return f"{n} bytes"


def default_inbox(case: Path) -> Path:
    """The inbox beside a case: ``evidence.mcase`` → ``evidence.mcase.inbox/``."""
    return case.with_name(case.name + INBOX_SUFFIX)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_path(path: str) -> str:
    if not path.startswith("/"):
        path = "/" + path
    return path


@dataclass(frozen=True, slots=True)
class ReceiverConfig:
    """Everything ``serve`` and the app's Receiver panel can set."""

    case: Path
    inbox: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    path: str = "/"
    token: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_self_signed: bool = False
    max_body: int = DEFAULT_MAX_BODY
    strict: bool = False
    respond: int | None = None  # answer this status (2xx: after storing; else: not stored)
    delay_ms: int = 0
    fail_rate: float = 0.0  # share of requests answered 503 without storing
    allow_public_without_token: bool = False
    # limits
    max_connections: int = 64
    max_field_size: int = 8190  # one header line
    max_headers: int = 64
    header_timeout_s: float = 10.0  # a request's headers must arrive within this
    body_idle_timeout_s: float = 15.0  # longest pause while a body arrives
    body_timeout_s: float = 120.0  # the whole body
    keepalive_timeout_s: float = 15.0
    lingering_s: float = 2.0
    retry_after_s: int = 30
    lock_wait_ms: int = 5_000  # how long a request waits for another importer's lock
    shutdown_timeout_s: float = 15.0
    request_log: bool = True  # inbox/requests.jsonl

    def validate(self) -> None:
        if not self.host.strip():
            raise ConfigError("the address to listen on is empty (--host; e.g. 127.0.0.1)")
        if self.max_connections < 1:
            raise ConfigError(f"--max-connections must be at least 1, not {self.max_connections}")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is out of range (0-65535)")
        if not self.path.startswith("/"):
            raise ConfigError(f"the path must start with '/': {self.path!r}")
        if any(c in "?#" or not c.isprintable() or c.isspace() for c in self.path):
            raise ConfigError(
                f"the path is compared with the request's path alone: give it without a query "
                f"(?), fragment (#), spaces or control characters, not {self.path!r}"
            )
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ConfigError("TLS needs both a certificate and its key (--tls-cert, --tls-key)")
        if self.tls_cert is not None and self.tls_self_signed:
            raise ConfigError("give either a certificate and key, or --tls-self-signed, not both")
        if self.respond is not None and not 200 <= self.respond <= 599:
            raise ConfigError(f"--respond needs an HTTP status from 200 to 599, not {self.respond}")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ConfigError(f"--fail-rate must be between 0 and 1, not {self.fail_rate}")
        if self.delay_ms < 0:
            raise ConfigError("--delay cannot be negative")
        problem = token_problem(self.token)
        if problem is not None:
            raise ConfigError(problem)
        if not is_loopback(self.host) and not self.token and not self.allow_public_without_token:
            raise ConfigError(
                f"refusing to listen on {self.host} without a token: anyone who can reach "
                "this machine could store messages in the case. Give --token or "
                "--token-file, or --allow-public-without-token if you understand the risk."
            )

    @property
    def tls(self) -> bool:
        return self.tls_self_signed or self.tls_cert is not None
