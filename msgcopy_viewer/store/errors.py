"""Errors of the case store, told apart by SQLite's error code where statements run.

Two kinds of failure reach the user:

* ``StorageError``: the environment stopped the case from being used — the disk is full,
  the file or its folder is read-only, another program holds the lock, the file is damaged
  or is not a database, the operating system reported an I/O error. ``str()`` is one plain
  line for the user; ``kind`` names the class (``full``, ``readonly``, ``locked``,
  ``corrupt``, ``io``, ``permission``, ``cantopen``, ``memory``). The CLI prints it and
  exits 2; the GUI shows it in a dialog; an import that meets one rolls back and marks its
  batch ``failed`` with the line as the reason.
* Anything else (a constraint violated, an SQL syntax error, a misuse of the API) is a bug
  in the program: it propagates unchanged, is logged with its traceback and shown as such.

The classification is made by ``classify`` from the primary SQLite result code
(``sqlite3.Error.sqlite_errorcode``) or the ``errno`` of an ``OSError`` — never from the
wording of a message. ``store.connection`` applies it to every statement, commit and
connection of a case, so callers catch ``StorageError`` and nothing else.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class CaseError(Exception):
    """A case cannot be used; ``str()`` is a plain-language explanation for the user."""


class CaseTooNewError(CaseError):
    """The case was written by a newer version of the program."""


class StorageError(CaseError):
    """The environment (disk, permissions, another program, damage) stopped the case."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


# Primary result codes (https://www.sqlite.org/rescode.html).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_PROTOCOL = 15
SQLITE_AUTH = 23
SQLITE_NOTADB = 26

_SQLITE_KINDS = {
    SQLITE_PERM: "permission",
    SQLITE_AUTH: "permission",
    SQLITE_BUSY: "locked",
    SQLITE_LOCKED: "locked",
    SQLITE_PROTOCOL: "locked",
    SQLITE_NOMEM: "memory",
    SQLITE_READONLY: "readonly",
    SQLITE_IOERR: "io",
    SQLITE_CORRUPT: "corrupt",
    SQLITE_NOTADB: "corrupt",
    SQLITE_FULL: "full",
    SQLITE_CANTOPEN: "cantopen",
}

_ERRNO_KINDS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EFBIG: "full",
    errno.EROFS: "readonly",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EIO: "io",
    errno.ENOENT: "cantopen",
    errno.ENOTDIR: "cantopen",
}


def _message(kind: str, path: Path, detail: str) -> str:
    if kind == "full":
        return f"The disk holding {path} is full (or the file may not grow any larger)."
    if kind == "readonly":
        return f"The case {path} is read-only: it can be viewed and exported but not changed."
    if kind == "locked":
        return (
            f"The case {path} is locked by another program (or another import). "
            "Close it there and try again."
        )
    if kind == "corrupt":
        return f"{path} is damaged, or is not a msgcopy-viewer case ({detail})."
    if kind == "permission":
        return f"Permission denied: {path}"
    if kind == "cantopen":
        return f"Cannot open {path}: the file or its folder does not exist or is not accessible."
    if kind == "memory":
        return f"Out of memory while using {path}."
    return f"Reading or writing {path} failed: {detail}."


def classify(exc: BaseException, path: str | Path) -> StorageError | None:
    """The ``StorageError`` that ``exc`` stands for, or None when it is not the
    environment's doing (a bug: let it propagate)."""
    if isinstance(exc, StorageError):
        return exc
    p = Path(path)
    kind: str | None = None
    detail = str(exc)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            kind = _SQLITE_KINDS.get(code & 0xFF)
            detail = f"{getattr(exc, 'sqlite_errorname', 'SQLITE_ERROR')}: {exc}"
    elif isinstance(exc, OSError):
        kind = _ERRNO_KINDS.get(exc.errno or -1)
        if kind is None and exc.errno is not None:
            kind = "io"
        detail = exc.strerror or str(exc)
    if kind is None:
        return None
    return StorageError(_message(kind, p, detail), kind)
