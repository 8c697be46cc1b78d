"""Reading an examiner's address book: a CSV of ``number,name`` or a vCard file.

Numbers may be written in any form a person writes them (``(214) 555-0199``,
``+44 7700 900123``, ``0044…``); they are normalised later, against the case's region
(``store.names``). A line that cannot be read is reported with its line number, never
guessed at.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from msgcopy_viewer.core.vcard import decode_charset, parse_vcards

MAX_BYTES = 20 * 1024 * 1024


class AddressBookError(ValueError):
    """The file cannot be read as an address book at all."""


@dataclass(slots=True)
class AddressBook:
    entries: list[tuple[str, str]] = field(default_factory=list)  # (number as written, name)
    problems: list[str] = field(default_factory=list)  # "line 4: no number"


def _looks_vcard(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].upper()
    return head.startswith(b"BEGIN:VCARD")


def read_address_book(data: bytes, name: str = "") -> AddressBook:
    """Entries of a CSV (``number,name``; a header line is recognised and skipped) or a
    vCard file (every TEL of a card gets the card's name)."""
    if len(data) > MAX_BYTES:
        raise AddressBookError(f"{name or 'the file'} is larger than {MAX_BYTES // 2**20} MB")
    if _looks_vcard(data) or name.lower().endswith((".vcf", ".vcard")):
        return _from_vcards(data, name)
    return _from_csv(data, name)


def _from_vcards(data: bytes, name: str) -> AddressBook:
    cards, warnings = parse_vcards(data)
    book = AddressBook(problems=list(warnings))
    if not cards:
        raise AddressBookError(f"{name or 'the file'} holds no vCard")
    for n, card in enumerate(cards, 1):
        if not card.name:
            book.problems.append(f"card {n}: no name")
            continue
        if not card.phones:
            book.problems.append(f"card {n} ({card.name}): no phone number")
            continue
        for phone in card.phones:
            book.entries.append((phone, card.name))
    return book


def _from_csv(data: bytes, name: str) -> AddressBook:
    text = decode_charset(data, None).lstrip("\ufeff")
    book = AddressBook()
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise AddressBookError(f"{name or 'the file'} is not a readable CSV file: {exc}") from exc
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            book.problems.append(f"line {n}: expected number,name")
            continue
        number, label = cells[0], cells[1]
        if n == 1 and not any(ch.isdigit() for ch in number):
            continue  # a header such as "number,name"
        if not any(ch.isdigit() for ch in number) and "@" not in number:
            book.problems.append(f"line {n}: {number!r} is not a number")
            continue
        book.entries.append((number, label))
    if not book.entries and not book.problems:
        raise AddressBookError(f"{name or 'the file'} holds no number,name line")
    return book
