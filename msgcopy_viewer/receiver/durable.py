"""Writing a received body so that it survives a crash, before anything is acknowledged.

The body goes to a temporary name in the same folder, is flushed to the disk (``fsync``),
renamed to its final name, and the folder itself is flushed so that the rename survives
a power cut. Only then may the sender be told the message is stored.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path

from msgcopy_viewer.store.errors import CaseError

TEMP_PREFIX = ".incoming-"
TEMP_SUFFIX = ".tmp"


class FolderSync:
    """Flushes a folder for many writers at once (group commit): a writer whose rename
    happened before a flush started is covered by it, so concurrent writers share one
    folder ``fsync`` instead of queueing for one each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cond = threading.Condition()
        self._requested = 0
        self._done = 0
        self._running = False
        self._fd: int | None = None

    def _fsync(self) -> None:
        """fsync through a descriptor kept open (one open less per message)."""
        if self._fd is None:
            try:
                self._fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except (PermissionError, IsADirectoryError):  # Windows: renames are durable
                return
        try:
            os.fsync(self._fd)
        except OSError:
            self.close()  # the folder may have been replaced: open it again next time
            raise

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._fd is not None:
                os.close(self._fd)
        self._fd = None

    def sync(self) -> None:
        with self._cond:
            self._requested += 1
            mine = self._requested
            while self._done < mine and self._running:
                self._cond.wait()
            if self._done >= mine:
                return
            self._running = True
            target = self._requested
        ok = False
        try:
            self._fsync()
            ok = True
        finally:
            with self._cond:
                self._running = False
                if ok:
                    self._done = max(self._done, target)
                self._cond.notify_all()


def durable_write(
    folder: Path, name: str, data: bytes, folder_sync: FolderSync | None = None
) -> Path:
    """Write ``data`` to ``folder/name`` atomically and durably; raises OSError."""
    final = folder / name
    tmp = folder / f"{TEMP_PREFIX}{name}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    try:
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if folder_sync is not None:
        folder_sync.sync()
    else:
        fsync_folder(folder)
    return final


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to the disk; a no-op where folders cannot be opened."""
    try:
        dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (PermissionError, IsADirectoryError):  # Windows: renames are durable already
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a crash left behind (never acknowledged); returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "input/output error",
    errno.ENOENT: "the folder does not exist any more",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files",
}


def storage_failure(exc: BaseException) -> str | None:
    """The plain reason when ``exc`` is a storage problem of the environment (disk full,
    read-only, permissions, case locked or damaged, I/O), else None (a bug).

    This is the one place that decides which failures are answered "503, try again
    later" rather than treated as a bug. The case store raises ``StorageError`` (a
    ``CaseError``) for its own; the inbox's file operations raise ``OSError``.
    """
    if isinstance(exc, CaseError):
        return str(exc)
    if isinstance(exc, OSError):
        reason = _ENVIRONMENT_ERRNOS.get(exc.errno or 0)
        return reason or (exc.strerror or str(exc))
    return None
