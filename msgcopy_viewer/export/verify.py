"""``verify``: re-check a case against its own hashes, or a bundle against its manifest.

* ``verify_case``: every stored raw event is parsed again and its fingerprint recomputed
  exactly as an import computes it (``core.events.identity_json``: the event's canonical
  JSON with ``message`` replaced by the SHA-256 of its text); the fingerprint and the
  message id (its first 24 hex digits) must match what is stored, and the stored bytes of
  every MMS part must match the part's SHA-256. Given the folder the
  files were imported from, every file of the ledger that has a recorded SHA-256 is read
  again (zip members inside their archive) and must have the same SHA-256.
* ``verify_bundle``: every line of ``manifest.sha256`` must name a file whose SHA-256
  matches (each file once), no file may have been added or removed, the files every
  bundle has must be there, and nothing in the bundle may be a link or a special file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgcopy_viewer.core.events import identity_json
from msgcopy_viewer.export.reports import BUNDLE_FILES, sha256_file
from msgcopy_viewer.store import ledger
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import iter_messages


@dataclass(slots=True)
class VerifyReport:
    checked: int = 0
    differences: list[str] = field(default_factory=list)
    what: str = ""

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def summary(self) -> str:
        if self.ok:
            return f"verified: {self.checked} {self.what} match"
        return (
            f"{len(self.differences)} difference{'s' if len(self.differences) != 1 else ''} "
            f"in {self.checked} {self.what}"
        )


def event_fingerprint(raw_event: str) -> str:
    """The fingerprint an import computes for this event text."""
    event: Any = json.loads(raw_event)
    if not isinstance(event, dict) or not isinstance(event.get("message"), str):
        raise ValueError("not an event object with a message")
    return hashlib.sha256(identity_json(event, event["message"]).encode("ascii")).hexdigest()


def verify_case(path: Path, sources: Path | None = None) -> VerifyReport:
    report = VerifyReport(
        what="stored events, MMS parts" + (" and source files" if sources else "")
    )
    media_seen: set[str] = set()
    with Case.open(path, create=False, readonly=True) as case:
        for m in iter_messages(case.conn, raw=True):
            report.checked += 1
            where = f"{m.source.path} [event {m.source.index}]"
            try:
                fp = event_fingerprint(m.raw_event or "")
            except (ValueError, RecursionError) as exc:
                report.differences.append(
                    f"{where}: message {m.id}: the stored event cannot be read ({exc})"
                )
                continue
            if fp != m.fingerprint:
                report.differences.append(
                    f"{where}: message {m.id}: the stored event does not match its "
                    f"fingerprint (stored {m.fingerprint}, recomputed {fp})"
                )
            elif m.id != fp[:24]:
                report.differences.append(
                    f"{where}: message {m.id}: the id does not match the fingerprint {fp}"
                )
            for part in m.parts:
                if part.sha256 in media_seen:
                    continue
                media_seen.add(part.sha256)
                report.checked += 1
                try:
                    data = case.media_bytes(part.sha256)
                except (sqlite3.Error, TypeError) as exc:  # a blob replaced by text, say
                    report.differences.append(
                        f"{where}: message {m.id}: the bytes of part {part.index} cannot be "
                        f"read ({exc})"
                    )
                    continue
                if data is None:
                    report.differences.append(
                        f"{where}: message {m.id}: the bytes of part {part.index} are missing"
                    )
                elif hashlib.sha256(data).hexdigest() != part.sha256:
                    report.differences.append(
                        f"{where}: message {m.id}: part {part.index} does not match its "
                        f"SHA-256 {part.sha256}"
                    )
        if sources is not None:
            for f in _ledger_files(case.conn):
                if not f.sha256:
                    continue
                report.checked += 1
                try:
                    digest = _source_sha256(sources, f.path)
                except FileNotFoundError:
                    report.differences.append(f"{f.path}: missing from {sources}")
                    continue
                except (OSError, zipfile.BadZipFile) as exc:
                    report.differences.append(f"{f.path}: cannot be read ({exc})")
                    continue
                if digest != f.sha256:
                    report.differences.append(
                        f"{f.path}: SHA-256 differs (recorded {f.sha256}, now {digest})"
                    )
    return report


def _ledger_files(conn: sqlite3.Connection) -> Iterator[ledger.LedgerRow]:
    """Every file of every import, a page at a time."""
    for b in sorted(ledger.batches(conn), key=lambda b: b.id):
        after = 0
        while page := ledger.rows(conn, b.id, after=after, limit=1000):
            yield from page
            after = page[-1].id


def _source_sha256(root: Path, rel: str) -> str:
    """SHA-256 of ``root/rel``; ``archive.zip/member`` is read inside the archive."""
    direct = root / rel
    if direct.is_file():
        return sha256_file(direct)
    parts = rel.split("/")
    for i in range(1, len(parts)):
        archive = root.joinpath(*parts[:i])
        if archive.is_file():
            member = "/".join(parts[i:])
            with zipfile.ZipFile(archive) as zf:
                try:
                    info = zf.getinfo(member)
                except KeyError:
                    raise FileNotFoundError(rel) from None
                h = hashlib.sha256()
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        h.update(chunk)
                return h.hexdigest()
    raise FileNotFoundError(rel)


# files every bundle has: one missing (with its manifest line) is a difference, so that a
# bundle cannot be passed off as complete by deleting a file and its line
REQUIRED_BUNDLE_FILES = (
    BUNDLE_FILES["report"],
    BUNDLE_FILES["jsonl"],
    BUNDLE_FILES["csv"],
    BUNDLE_FILES["xlsx"],
    BUNDLE_FILES["pdf"],
    f"{BUNDLE_FILES['html']}/index.html",
)


def _bundle_entries(root: Path) -> tuple[set[str], list[str]]:
    """The regular files under ``root`` (but the manifest), as ``/`` paths, and the other
    entries found: links (to a file or a folder, followed by nothing here) and special
    files, which no bundle holds."""
    files: set[str] = set()
    odd: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                rel = Path(entry.path).relative_to(root).as_posix()
                if entry.is_symlink():
                    odd.append(f"{rel}: a link, not a file of the bundle")
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    if rel != BUNDLE_FILES["manifest"]:
                        files.add(rel)
                else:
                    odd.append(f"{rel}: not a regular file")
    return files, sorted(odd)


# a manifest line: 64 hex digits, two spaces, a path (a bundle's paths are short)
MAX_MANIFEST_LINE = 64 + 2 + 4096
# lines naming files the bundle does not hold before reading stops (a crafted manifest of
# millions of lines must not cost memory or time in proportion)
MAX_UNKNOWN_LINES = 1000


def _manifest_lines(manifest: Path) -> Iterator[tuple[int, str | None]]:
    """``(line number, text)`` of the manifest, each line read with a bound; ``None``
    for a line too long (or not UTF-8) to be one."""
    with open(manifest, "rb") as fh:
        n = 0
        while True:
            raw = fh.readline(MAX_MANIFEST_LINE + 2)
            if not raw:
                return
            n += 1
            if not raw.endswith(b"\n") and len(raw) > MAX_MANIFEST_LINE:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = fh.readline(1 << 20)
                yield n, None
                continue
            try:
                yield n, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield n, None


def verify_bundle(root: Path) -> VerifyReport:
    report = VerifyReport(what="bundle files")
    manifest = root / BUNDLE_FILES["manifest"]
    if manifest.is_symlink() or not manifest.is_file():
        report.differences.append(f"{BUNDLE_FILES['manifest']}: missing")
        return report
    present, odd = _bundle_entries(root)
    listed: dict[str, str] = {}
    unknown = 0
    for n, line in _manifest_lines(manifest):
        digest, sep, rel = (line or "").partition("  ")
        if line is None or not sep or len(digest) != 64:
            report.differences.append(f"{BUNDLE_FILES['manifest']}: line {n} is not readable")
            unknown += 1
        elif rel in listed:
            report.differences.append(
                f"{rel}: listed twice in {BUNDLE_FILES['manifest']} (line {n})"
            )
            unknown += 1
        else:
            listed[rel] = digest.lower()
            unknown += rel not in present
        if unknown > MAX_UNKNOWN_LINES:
            report.differences.append(
                f"{BUNDLE_FILES['manifest']}: more than {MAX_UNKNOWN_LINES} lines name no file "
                f"of the bundle; stopped reading at line {n}"
            )
            break
    for rel in REQUIRED_BUNDLE_FILES:
        if rel not in listed and rel not in present:
            report.differences.append(f"{rel}: missing (every bundle has it)")
    report.differences.extend(odd)
    for rel in sorted(present - set(listed)):
        report.differences.append(f"{rel}: added (not in the manifest)")
    for rel, digest in sorted(listed.items()):
        report.checked += 1
        if rel not in present:
            if not any(d.startswith(f"{rel}: ") for d in odd):
                report.differences.append(f"{rel}: missing")
        elif sha256_file(root / rel) != digest:
            report.differences.append(f"{rel}: changed (SHA-256 differs from the manifest)")
    return report
