"""TLS for the receiver: a given certificate and key, or a throwaway self-signed one."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from msgcopy_viewer.receiver.config import ConfigError, is_loopback
from msgcopy_viewer.receiver.durable import durable_write

SELF_SIGNED_DAYS = 30


@dataclass(frozen=True, slots=True)
class TlsSetup:
    context: ssl.SSLContext
    fingerprint: str  # SHA-256 of the certificate (DER), AA:BB:… form
    cert_pem: bytes


def fingerprint_of(cert_der: bytes) -> str:
    digest = hashlib.sha256(cert_der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _server_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def load_tls(cert: Path, key: Path) -> TlsSetup:
    """A server context from PEM files; ConfigError with the reason when they do not fit."""
    for f in (cert, key):
        if not f.is_file():
            raise ConfigError(f"no such file: {f}")
    ctx = _server_context()
    try:
        ctx.load_cert_chain(str(cert), str(key))
        pem = cert.read_bytes()
        first = x509.load_pem_x509_certificates(pem)[0]
    except FileNotFoundError as exc:
        raise ConfigError(f"no such file: {exc.filename}") from exc
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise ConfigError(f"cannot use the certificate {cert} with the key {key}: {exc}") from exc
    der = first.public_bytes(serialization.Encoding.DER)
    return TlsSetup(ctx, fingerprint_of(der), certificates_only(pem))


def certificates_only(pem: bytes) -> bytes:
    """The certificates of a PEM text, re-encoded, and nothing else: a file that holds the
    key too (a combined PEM) gives only its certificates. ConfigError when there is none."""
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise ConfigError(f"no certificate in the PEM text ({exc})") from None
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def save_certificate(pem: bytes, path: Path) -> None:
    """Write the certificates of ``pem`` (never a key) to ``path``, for a client to trust
    (``send --ca FILE``); replaces the file whole. Raises OSError or ConfigError."""
    data = certificates_only(pem)
    path = Path(path)
    durable_write(path.parent, path.name, data)


def _dns_name_ok(name: str) -> bool:
    return name.isascii() and all(
        part and all(c.isalnum() or c == "-" for c in part) for part in name.split(".")
    )


def self_signed(host: str) -> TlsSetup:
    """A new key and certificate for ``host`` (and localhost), valid for 30 days.

    The key never touches the disk except for the moment ``ssl`` loads it from a private
    temporary file.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "msgcopy-viewer receiver")])
    alt: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    if host and not is_loopback(host) and host not in ("0.0.0.0", "::"):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            alt.append(x509.DNSName(host))
    elif host in ("0.0.0.0", "::"):
        # every address of this machine: clients on others reach it by its name (its
        # addresses are not looked up: that could mean asking the network)
        machine = socket.gethostname()
        if machine and machine != "localhost" and _dns_name_ok(machine):
            alt.append(x509.DNSName(machine))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    ctx = _server_context()
    with tempfile.TemporaryDirectory(prefix="msgcopy-tls-") as tmp:
        cert_file = os.path.join(tmp, "cert.pem")
        key_file = os.path.join(tmp, "key.pem")
        for path, data in ((cert_file, cert_pem), (key_file, key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        ctx.load_cert_chain(cert_file, key_file)
    der = cert.public_bytes(serialization.Encoding.DER)
    return TlsSetup(ctx, fingerprint_of(der), cert_pem)
