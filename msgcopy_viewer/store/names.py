"""Names for numbers: the case's address book.

A name is stored under the number's normalised key (``core.parties.normalize_party``,
the threading rules), so every written form of the number — national, international,
with or without formatting — finds it. A name is always shown *with* its number
(``label``), never instead of it. Each name says where it came from: an imported file
(``source='file'``, ``origin`` its file name), the vCard of a received MMS
(``source='vcard'``, ``origin`` the message id) or the examiner (``source='examiner'``).
Every change is in the audit log, in the same transaction.
"""

from __future__ import annotations

import codecs
import os
import sqlite3
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from msgcopy_viewer.core.address_book import (
    MAX_BYTES,
    AddressBook,
    AddressBookError,
    read_address_book,
)
from msgcopy_viewer.core.parties import (
    KIND_ALPHA,
    normalize_party,
    normalize_subscriber,
    subscriber_region,
)
from msgcopy_viewer.store.annotations import NAME_SET, AnnotationError, _audit, _examiner, _writable
from msgcopy_viewer.store.case import Case, now_ms

SOURCES = ("file", "vcard", "examiner")
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class NameEntry:
    key: str
    name: str
    number: str  # as the source wrote it
    source: str  # file | vcard | examiner
    origin: str  # the file's name, or the message id of the vCard
    added_ms: int

    @property
    def provenance(self) -> str:
        """Where the name came from, in words (the inspector shows it)."""
        if self.source == "file":
            return f"imported from the file {self.origin}"
        if self.source == "vcard":
            return f"from the vCard in message {self.origin}"
        return f"entered by {self.origin}" if self.origin else "entered by the examiner"


@dataclass(slots=True)
class NamesImport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def case_region(conn: sqlite3.Connection) -> str:
    """The region national numbers are read in: that of the subscriber with most messages
    (a case's subscribers are normally in one country)."""
    r = conn.execute(
        "SELECT mobile FROM subscribers ORDER BY message_count DESC LIMIT 1"
    ).fetchone()
    return subscriber_region(str(r[0])) if r is not None else "US"


def number_key(number: str, region: str) -> str | None:
    """The normalised key a name is stored under; None when ``number`` is no address."""
    party = normalize_party(number, region)
    if not party.key or party.kind == KIND_ALPHA:
        return None
    return party.key


class NameBook:
    """The names of a case in memory (an address book holds thousands at most), for
    showing a name with every number on screen without a query per row."""

    def __init__(self, entries: Iterable[NameEntry] = (), region: str = "US") -> None:
        self.region = region
        self._by_key = {e.key: e for e in entries}

    def __len__(self) -> int:
        return len(self._by_key)

    def entries(self) -> list[NameEntry]:
        return sorted(self._by_key.values(), key=lambda e: (e.name.casefold(), e.key))

    def lookup(self, number: str | None, region: str | None = None) -> NameEntry | None:
        if not number or not self._by_key:
            return None
        key = normalize_party(number, region or self.region).key
        return self._by_key.get(key)

    def name(self, number: str | None, region: str | None = None) -> str | None:
        e = self.lookup(number, region)
        return None if e is None else e.name

    def label(self, number: str | None, region: str | None = None) -> str:
        """``Name (number)`` when the number has a name, else the number as it is."""
        text = number or ""
        e = self.lookup(number, region)
        return f"{e.name} ({text})" if e is not None else text


def read_names_file(path: Path) -> AddressBook:
    """Read the address book the examiner chose (CSV or vCard), bounded: a pipe or a device
    is refused without waiting for a writer, and a file over the limit before it is read.
    Raises AddressBookError with one line."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise AddressBookError(f"{path}: no such file") from exc
    except OSError as exc:
        raise AddressBookError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AddressBookError(f"{path} is not a regular file")
        if st.st_size > MAX_BYTES:
            raise AddressBookError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_BYTES + 1)  # a file that grew since: the limit still holds
    except OSError as exc:
        raise AddressBookError(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    text = _as_utf8(data, path.name)
    if b"\x00" in text:  # no CSV or vCard holds a NUL: an image, an archive, a database …
        raise AddressBookError(f"{path.name} is not a text file (a CSV or vCard address book)")
    return read_address_book(text, path.name)


# byte-order marks of the Unicode encodings spreadsheet programs save "Unicode text" in
# (UTF-32 first: its little-endian mark starts with UTF-16's)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _as_utf8(data: bytes, name: str) -> bytes:
    """A file in UTF-16 or UTF-32 (told by its byte-order mark) as UTF-8; other bytes as
    they are (the address-book reader tells UTF-8 from legacy charsets)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise AddressBookError(
                    f"{name} starts as {encoding.upper()} text but is not ({exc.reason} at "
                    f"byte {exc.start + len(bom)})"
                ) from exc
    return data


def subscriber_region_of(mobile: str) -> str:
    return subscriber_region(normalize_subscriber(mobile).key or mobile)


def _entry(r: sqlite3.Row | tuple[object, ...]) -> NameEntry:
    return NameEntry(
        key=str(r[0]),
        name=str(r[1]),
        number=str(r[2]),
        source=str(r[3]),
        origin=str(r[4]),
        added_ms=int(str(r[5])),
    )


def load_names(conn: sqlite3.Connection) -> NameBook:
    rows = conn.execute("SELECT key, name, number, source, origin, added_ms FROM names")
    return NameBook((_entry(r) for r in rows), case_region(conn))


class CaseNameBook(NameBook):
    """The case's names read from the case as numbers are looked up: a report looks up the
    numbers of its messages, so its memory follows them, not the size of the address book
    (which may hold hundreds of thousands of names)."""

    CACHE = 50_000  # looked-up numbers kept (cleared when full)

    def __init__(self, conn: sqlite3.Connection, region: str = "US") -> None:
        super().__init__((), region)
        self._conn = conn
        self._count = int(conn.execute("SELECT count(*) FROM names").fetchone()[0])
        self._cache: dict[str, NameEntry | None] = {}

    def __len__(self) -> int:
        return self._count

    def entries(self) -> list[NameEntry]:
        return load_names(self._conn).entries()

    def lookup(self, number: str | None, region: str | None = None) -> NameEntry | None:
        if not number or not self._count:
            return None
        key = normalize_party(number, region or self.region).key
        if key not in self._cache:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            self._cache[key] = get_name(self._conn, key)
        return self._cache[key]


def read_names(conn: sqlite3.Connection) -> NameBook:
    """The case's names for a report (``CaseNameBook``: read as looked up)."""
    return CaseNameBook(conn, case_region(conn))


def get_name(conn: sqlite3.Connection, key: str) -> NameEntry | None:
    r = conn.execute(
        "SELECT key, name, number, source, origin, added_ms FROM names WHERE key = ?", (key,)
    ).fetchone()
    return None if r is None else _entry(r)


def _clean_name(name: str) -> str:
    """The name with its whitespace collapsed and its invisible and control characters
    (zero-width, bidirectional overrides) left out; a name with nothing else is none."""
    clean = " ".join((name or "").split())
    if len(clean) > MAX_NAME:
        raise AnnotationError(f"a name has at most {MAX_NAME} characters")
    clean = " ".join("".join(ch for ch in clean if ch.isprintable()).split())
    if not clean:
        raise AnnotationError("a name cannot be empty")
    return clean


def set_names(
    case: Case,
    entries: Iterable[tuple[str, str]],
    *,
    source: str,
    origin: str,
    examiner: str,
    region: str | None = None,
) -> NamesImport:
    """Store names for numbers (``(number as written, name)``), one transaction. A number
    given twice (in any written form) with the same name is stored once; with different
    names it is stored with none, and reported. Numbers that are no address are reported,
    not stored."""
    _writable(case)
    who = _examiner(examiner)
    if source not in SOURCES:
        raise ValueError(f"unknown name source {source!r}")
    result = NamesImport()
    with case.transaction() as conn:
        reg = region or case_region(conn)
        at = now_ms()
        wanted: dict[str, tuple[str, str]] = {}
        conflicts: dict[str, list[str]] = {}
        for number, name in entries:
            key = number_key(number, reg)
            if key is None:
                result.problems.append(f"{number!r} is not a number or address")
                continue
            try:
                clean = _clean_name(name)
            except AnnotationError as exc:
                result.problems.append(f"{number!r}: {exc}")
                continue
            seen = wanted.get(key)
            if key in conflicts:
                if clean not in conflicts[key]:
                    conflicts[key].append(clean)
            elif seen is not None and seen[1] != clean:
                conflicts[key] = [seen[1], clean]
            else:
                wanted[key] = (number.strip(), clean)
        for key, names in conflicts.items():
            # which is right cannot be told: a wrong name is worse than none
            del wanted[key]
            shown = ", ".join(repr(n) for n in names)
            result.problems.append(
                f"{key} is given {len(names)} different names ({shown}): none stored"
            )
        for key, (number, name) in wanted.items():
            before = get_name(conn, key)
            if before is not None and before.name == name:
                result.unchanged += 1
                continue
            conn.execute(
                "INSERT INTO names(key, name, number, source, origin, added_ms) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET name = excluded.name, "
                "number = excluded.number, source = excluded.source, origin = excluded.origin, "
                "added_ms = excluded.added_ms",
                (key, name, number, source, origin, at),
            )
            _audit(
                conn,
                [(NAME_SET, f"name:{key}", None if before is None else before.name, name)],
                who,
                at,
            )
            if before is None:
                result.added += 1
            else:
                result.changed += 1
    return result


def remove_name(case: Case, number: str, *, examiner: str, region: str | None = None) -> bool:
    _writable(case)
    who = _examiner(examiner)
    with case.transaction() as conn:
        key = number_key(number, region or case_region(conn))
        before = get_name(conn, key) if key else None
        if before is None:
            return False
        conn.execute("DELETE FROM names WHERE key = ?", (before.key,))
        _audit(conn, [(NAME_SET, f"name:{before.key}", before.name, None)], who, now_ms())
        return True
