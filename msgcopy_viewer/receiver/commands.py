"""The ``serve``, ``send`` and ``watch`` subcommands: their arguments and what they do.

``cli.py`` registers them with ``add_parsers`` and dispatches to ``HANDLERS``. The heavy
modules (aiohttp, watchfiles, cryptography) are imported when a command runs.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from msgcopy_viewer import paths
from msgcopy_viewer.core.text_safety import escape_line
from msgcopy_viewer.receiver.config import (
    DEFAULT_PORT,
    INBOX_SUFFIX,
    SELF_SIGNED_CERT_FILE,
    ConfigError,
    ReceiverConfig,
    default_inbox,
    format_size,
    is_loopback,
    normalise_path,
    parse_size,
    read_token_file,
    token_problem,
)

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2

Common = Callable[[argparse.ArgumentParser], None]


class CommandError(Exception):
    """A problem the user can fix: printed on one line, exit status 2."""


def add_parsers(sub: Any, common: Common) -> None:
    """Add ``serve``, ``send`` and ``watch`` to the subparsers ``sub`` (``common`` adds
    --case, --data-dir and -v)."""
    p = sub.add_parser(
        "serve",
        help="receive messages over HTTP(S) like a partner's endpoint, into a case",
        description="Receive Message Copy POSTs into a case. Every body is written durably "
        "to the inbox before it is acknowledged, then imported. The default inbox is a "
        f"folder beside the case: CASE{INBOX_SUFFIX}/ (e.g. evidence.mcase{INBOX_SUFFIX}/). "
        "Stop with Ctrl+C (or SIGTERM): requests in flight finish first.",
    )
    common(p)
    p.add_argument(
        "--inbox",
        metavar="DIR",
        help=f"where received bodies are kept (default: CASE{INBOX_SUFFIX}/ beside the case)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any)"
    )
    p.add_argument("--path", default="/", help="URL path that accepts POSTs (default: /)")
    tok = p.add_mutually_exclusive_group()
    tok.add_argument(
        "--token",
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' (visible in the process list: prefer "
        "--token-file)",
    )
    tok.add_argument("--token-file", metavar="FILE", help="read the token from FILE (safer)")
    p.add_argument("--tls-cert", metavar="C", help="TLS certificate chain (PEM)")
    p.add_argument("--tls-key", metavar="K", help="its private key (PEM)")
    p.add_argument(
        "--tls-self-signed",
        action="store_true",
        help="HTTPS with a throwaway certificate (its SHA-256 fingerprint is printed, "
        "and the certificate saved in the inbox as receiver-cert.pem for 'send --ca')",
    )
    p.add_argument(
        "--max-body",
        default="32MB",
        metavar="SIZE",
        help="largest body accepted, also once decompressed (e.g. 512KB, 32MB; default 32MB)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="answer 422 to bodies that are not Message Copy documents, and keep nothing "
        "(default: keep them in INBOX/quarantine/ and answer 202)",
    )
    p.add_argument(
        "--respond",
        type=int,
        metavar="STATUS",
        help="testing: answer STATUS (a 2xx status still stores first; others store nothing)",
    )
    p.add_argument(
        "--delay", type=int, default=0, metavar="MS", help="testing: wait MS before answering"
    )
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="testing: answer 503 to this share of requests (0-1) without storing them",
    )
    p.add_argument(
        "--allow-public-without-token",
        action="store_true",
        help="listen on a non-loopback address without a token (anyone could store messages)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=64,
        metavar="N",
        help="clients at once (default 64); more are answered 503",
    )
    p.add_argument("--quiet", action="store_true", help="do not print a line per request")

    p = sub.add_parser(
        "send",
        help="post files to an endpoint the way the Message Copy platform does",
        description="Post each file as one request, serially, at most --batch per cycle and "
        "--interval seconds between cycles; anything not answered 2xx is tried again next "
        "cycle. The queue is kept in a state file, so running the same command again after "
        "an interruption resumes it.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders of files")
    p.add_argument("--url", required=True, help="endpoint, e.g. https://host:8443/")
    tok = p.add_mutually_exclusive_group()
    tok.add_argument(
        "--token", metavar="T", help="send 'Authorization: Bearer T' (visible in the process list)"
    )
    tok.add_argument("--token-file", metavar="FILE", help="read the token from FILE")
    p.add_argument("--batch", type=int, default=50, metavar="N", help="per cycle (default 50)")
    p.add_argument(
        "--interval",
        type=float,
        default=240.0,
        metavar="S",
        help="seconds between cycles (default 240, the platform's)",
    )
    p.add_argument("--cycles", type=int, metavar="N", help="stop after N cycles")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--insecure", action="store_true", help="do not verify the certificate")
    tls.add_argument(
        "--ca",
        metavar="FILE",
        help="trust this CA (or self-signed) certificate, e.g. the receiver-cert.pem that "
        "'serve --tls-self-signed' saves in its inbox",
    )
    p.add_argument(
        "--state",
        metavar="FILE",
        help="queue state file (default: one per URL and set of files in the data folder); "
        "it resumes only a run of the same URL and files",
    )
    p.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help="per request (default 30)"
    )
    p.add_argument(
        "--max-attempts",
        type=int,
        default=10,
        metavar="N",
        help="give a message up after N failed attempts (default 10)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--data-dir", metavar="DIR", help="data folder (where default state files are kept)"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")

    p = sub.add_parser(
        "watch",
        help="import files as they appear in folders (e.g. another receiver's share)",
        description="Import new files from the folders as they appear; a file still being "
        "written is imported once complete. Zip archives are imported member by member "
        "(archive.zip/member), as 'import' does; members already in the case are not "
        "stored twice. Files that arrived while nothing watched are imported at start. "
        "Stop with Ctrl+C.",
    )
    p.add_argument("folders", nargs="+", metavar="DIR", help="folders to watch (with sub-folders)")
    common(p)
    p.add_argument(
        "--poll",
        action="store_true",
        help="poll instead of file events (network shares, where events are not delivered)",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="S",
        help="a file is complete when unchanged for S seconds (default 1)",
    )


# -- shared --------------------------------------------------------------------------------------
def _case_path(args: argparse.Namespace) -> Path:
    if args.case:
        return Path(args.case).expanduser().absolute()
    path = paths.default_case_path(args.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _read_token(args: argparse.Namespace) -> str | None:
    if args.token_file:
        return read_token_file(Path(args.token_file))
    token = args.token
    return str(token) if token is not None else None


@contextmanager
def _stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``stop`` (once) while the block runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _run(body: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from msgcopy_viewer.store.case import CaseError

    try:
        return body(args)
    except (CommandError, ConfigError, CaseError) as exc:
        print(f"msgcopy-viewer: {escape_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


# -- serve ---------------------------------------------------------------------------------------
def receiver_config(args: argparse.Namespace) -> ReceiverConfig:
    case = _case_path(args)
    inbox = Path(args.inbox).expanduser().absolute() if args.inbox else default_inbox(case)
    return ReceiverConfig(
        case=case,
        inbox=inbox,
        host=args.host,
        port=args.port,
        path=normalise_path(args.path),
        token=_read_token(args),
        tls_cert=Path(args.tls_cert).expanduser() if args.tls_cert else None,
        tls_key=Path(args.tls_key).expanduser() if args.tls_key else None,
        tls_self_signed=args.tls_self_signed,
        max_body=parse_size(args.max_body),
        strict=args.strict,
        respond=args.respond,
        delay_ms=args.delay,
        fail_rate=args.fail_rate,
        allow_public_without_token=args.allow_public_without_token,
        max_connections=args.max_connections,
    )


def _serve(args: argparse.Namespace) -> int:
    from msgcopy_viewer.receiver.requestlog import RequestRecord
    from msgcopy_viewer.receiver.server import Receiver, ReceiverError

    config = receiver_config(args)
    config.validate()
    out_lock = threading.Lock()

    def on_request(record: RequestRecord) -> None:
        if args.quiet:
            return
        with out_lock:
            print(record.console_line(), flush=True)

    err = sys.stderr
    if not is_loopback(config.host):
        print(
            f"WARNING: listening on {config.host}: other machines can reach this receiver.",
            file=err,
        )
        if not config.token:
            print(
                "WARNING: NO TOKEN IS REQUIRED — anyone who can reach this port can store "
                "messages in the case (--allow-public-without-token).",
                file=err,
            )
        elif not config.tls:
            print("WARNING: without TLS the token travels in clear text.", file=err)
    receiver = Receiver(config, on_request=on_request)
    try:
        info = receiver.start()
    except ReceiverError as exc:
        raise CommandError(str(exc)) from exc
    stopping = threading.Event()
    with _stop_on_signals(stopping.set):
        if info.caught_up.files:
            print(
                f"imported {info.caught_up.files} inbox files left from an earlier run "
                f"({info.caught_up.messages} new messages)",
                file=err,
            )
        print(f"receiving at {info.url}", file=err)
        print(f"case: {config.case}", file=err)
        print(f"inbox: {config.inbox}", file=err)
        if info.fingerprint:
            print(f"TLS certificate SHA-256 fingerprint: {info.fingerprint}", file=err)
        if config.tls_self_signed and info.cert_pem:
            from msgcopy_viewer.receiver.tls import save_certificate

            cert_file = config.inbox / SELF_SIGNED_CERT_FILE
            try:
                save_certificate(info.cert_pem, cert_file)
                print(f"certificate (for 'send --ca'): {cert_file}", file=err)
            except (OSError, ConfigError) as exc:
                print(
                    f"cannot save the certificate: {getattr(exc, 'strerror', None) or exc}",
                    file=err,
                )
        extras = []
        if config.token:
            extras.append("bearer token required")
        extras.append(f"bodies up to {format_size(config.max_body)}")
        if config.strict:
            extras.append("strict: invalid documents are refused (422)")
        if config.respond is not None:
            extras.append(f"answering {config.respond}")
        if config.delay_ms:
            extras.append(f"delaying answers by {config.delay_ms} ms")
        if config.fail_rate:
            extras.append(f"failing {config.fail_rate:.0%} of requests (503)")
        print("; ".join(extras) + ". Ctrl+C stops.", file=err, flush=True)
        while not stopping.is_set() and receiver.running:
            stopping.wait(0.5)
        print("stopping: letting requests in flight finish…", file=err, flush=True)
        receiver.stop()
    s = receiver.stats
    print(
        f"stopped: {s.requests} requests, {s.stored} stored, {s.duplicates} duplicates, "
        f"{s.quarantined} quarantined, {s.refused} refused",
        file=err,
    )
    return EXIT_OK


# -- send ----------------------------------------------------------------------------------------
def clear_text_token_warning(url: str, token: str | None) -> str | None:
    """The warning ``send`` prints when a token would travel without TLS off this machine."""
    from urllib.parse import urlsplit

    if not token or not url.lower().startswith("http://"):
        return None
    host = urlsplit(url).hostname or ""
    if is_loopback(host):
        return None
    return f"WARNING: without TLS (https://) the token travels in clear text to {host}."


class _SendProgressLine:
    def __init__(self) -> None:
        self.shown = False

    def __call__(self, p: Any) -> None:
        line = (
            f"cycle {p.cycle}: {p.acknowledged}/{p.total} acknowledged, {p.retried} retried, "
            f"{p.queued} queued · {p.last}"
        )
        line = escape_line(line)
        width = 100
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _send(args: argparse.Namespace) -> int:
    import asyncio

    from msgcopy_viewer.receiver.sender import (
        Sender,
        SendError,
        SendState,
        client_ssl,
        collect_files,
        default_state_path,
    )

    url = args.url
    if not url.lower().startswith(("http://", "https://")):
        raise CommandError(f"--url must start with http:// or https://, not {url!r}")
    token = _read_token(args)
    problem = token_problem(token)
    if problem is not None:
        raise CommandError(problem)
    warning = clear_text_token_warning(url, token)
    if warning:
        print(warning, file=sys.stderr)
    try:
        files = collect_files(args.paths)
        if not files:
            raise CommandError("no files to send")
        state_path = (
            Path(args.state).expanduser()
            if args.state
            else default_state_path(paths.data_dir(args.data_dir) / "send-state", url, files)
        )
        ssl_setting = client_ssl(
            url, insecure=args.insecure, ca=Path(args.ca).expanduser() if args.ca else None
        )
        state = SendState.load_or_create(state_path, url, files)
        bar = _SendProgressLine() if sys.stderr.isatty() and not args.json else None
        sender = Sender(
            url,
            state,
            token=token,
            batch=args.batch,
            interval=args.interval,
            cycles=args.cycles,
            timeout=args.timeout,
            max_attempts=args.max_attempts,
            ssl_setting=ssl_setting,
            progress=bar,
        )
    except SendError as exc:
        raise CommandError(str(exc)) from exc

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        for s in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(s, sender.request_stop)
        return await sender.run()

    try:
        summary = asyncio.run(main())
    finally:
        if bar is not None:
            bar.done()
    state.close(finished=summary.complete)
    if args.json:
        json.dump(summary.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(
            f"{summary.sent} requests in {summary.cycles} cycles: {summary.acknowledged} "
            f"acknowledged, {summary.retried} retries, {len(summary.gave_up)} failed, "
            f"{len(summary.remaining)} still queued (of {summary.total} files)"
        )
        if summary.statuses:
            print("answers: " + ", ".join(f"{k}×{v}" for k, v in sorted(summary.statuses.items())))
        for path, reason in summary.gave_up:
            print(escape_line(f"failed: {path}: {reason}"))
        for path, reason in summary.remaining[:20]:
            print(escape_line(f"queued: {path}: {reason}"))
        if len(summary.remaining) > 20:
            print(f"… and {len(summary.remaining) - 20} more queued")
    if not summary.complete:
        print(
            f"state kept in {state.path}: run the same command again to resume",
            file=sys.stderr,
        )
    return EXIT_OK if summary.complete else EXIT_INCOMPLETE


# -- watch ---------------------------------------------------------------------------------------
def _watch(args: argparse.Namespace) -> int:
    from msgcopy_viewer.receiver.watcher import FolderWatcher, WatchError, WatchEvent

    def on_event(e: WatchEvent) -> None:
        # names come from the share (and from inside its zip archives): shown, never obeyed
        line = f"{e.outcome:<10} {Path(e.folder) / e.relpath}"
        if e.reason:
            line += f"  ({e.reason})"
        print(escape_line(line), flush=True)

    case = _case_path(args)
    try:
        watcher = FolderWatcher(
            case, args.folders, settle_s=args.settle, poll=args.poll, on_event=on_event
        )
    except WatchError as exc:
        raise CommandError(str(exc)) from exc
    stop = threading.Event()
    print(
        f"watching {', '.join(watcher.roots)} into {case}"
        + (" (polling)" if args.poll else "")
        + ". Ctrl+C stops.",
        file=sys.stderr,
        flush=True,
    )
    with _stop_on_signals(stop.set):
        watcher.run(stop)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(watcher.counts.items())) or "no files"
    print(f"stopped: {counts}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    return _run(_serve, args)


def cmd_send(args: argparse.Namespace) -> int:
    return _run(_send, args)


def cmd_watch(args: argparse.Namespace) -> int:
    return _run(_watch, args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "send": cmd_send,
    "watch": cmd_watch,
}
