"""Find the files an import covers: folders (recursively), single files, zip archives.

Every regular file is a candidate whatever its extension. OS junk is reported
as skipped. Zip archives (by ``.zip`` extension) are opened read-only and their
members become items named ``archive.zip/member``; a zip inside a zip is
followed the same way. Nothing here writes to the sources.

Hostile input (see ``docs/security.md``): folders are walked without recursion and
symbolic links are never followed (they are skipped, with their target); pipes,
sockets and devices are skipped without being opened; archives are checked against
the limits of ``ScanLimits`` (members, inflated size, ratio, nesting, overlapping and
repeated entries) before a byte is inflated; file names that are not valid UTF-8 are
kept exactly, in the escaped form of ``escape_name``.
"""

from __future__ import annotations

import io
import itertools
import os
import stat
import struct
import zipfile
from collections.abc import Container, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

JUNK_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
_JUNK_NAME_MAX = max(map(len, JUNK_FILES))
JUNK_DIRS = {"__macosx", ".spotlight-v100", ".trashes", ".fseventsd", "$recycle.bin"}

# Limits (docs/security.md). The file size limit is the import's --max-file-size.
MAX_FILE_BYTES = 64 << 20  # a real MMS is a few MB; a file or zip member above this is refused
MAX_ZIP_DEPTH = 4  # a zip in a zip in a zip in a zip; deeper ones are refused
MAX_ZIP_MEMBERS = 200_000  # entries of one archive (its central directory is read whole)
MAX_ZIP_TOTAL_BYTES = 16 << 30  # inflated bytes of one archive, nested archives included
MAX_ZIP_RATIO = 200  # inflated/compressed, for members that inflate beyond RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1 << 20

OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a file's place must not block the open
    | getattr(os, "O_NOFOLLOW", 0)  # nor may a symbolic link put in its place be followed
)


@dataclass(slots=True)
class ScanLimits:
    max_file_bytes: int = MAX_FILE_BYTES
    max_zip_depth: int = MAX_ZIP_DEPTH
    max_zip_members: int = MAX_ZIP_MEMBERS
    max_zip_total_bytes: int = MAX_ZIP_TOTAL_BYTES
    max_zip_ratio: int = MAX_ZIP_RATIO


@dataclass(slots=True)
class SourceItem:
    root: str  # absolute folder that ``relpath`` is relative to (escaped, see escape_name)
    relpath: str  # '/' separators; zip members as "archive.zip/member"
    fs_path: str | None  # a regular file on disk (read it there), or None
    data: bytes | None  # the bytes of a zip member (already read)
    size: int | None
    mtime_ms: int | None
    skip_reason: str | None = None  # set: the item is skipped (OS junk, not a file)
    error: str | None = None  # set: the item is rejected without parsing (unreadable …)


# -- names ------------------------------------------------------------------------------------
def escape_name(name: str) -> str:
    """A file name as the case stores it: text that any UTF-8 reader can hold, from which
    the exact bytes can be recovered (``name_bytes``). Bytes that are not UTF-8 (which
    Python's file functions hand over as lone surrogates) are written ``\\xNN``; so that
    this stays unambiguous, a backslash is written ``\\\\``. Other names are unchanged."""
    if name.isascii():
        return name if "\\" not in name else name.replace("\\", "\\\\")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name) if os.name != "nt" else name.encode("utf-8", "surrogatepass")
        return escape_name_bytes(raw)
    return name if "\\" not in name else name.replace("\\", "\\\\")


def escape_name_bytes(raw: bytes) -> str:
    """``escape_name`` of a name given as bytes (a zip member's, a file system's)."""
    return raw.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def name_bytes(text: str) -> bytes:
    """The exact bytes of a name stored by ``escape_name`` (its inverse)."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        b = raw[i]
        if b == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1]
            if nxt == 0x5C:
                out.append(0x5C)
                i += 2
                continue
            if nxt == ord("x") and i + 3 < len(raw):
                out.append(int(raw[i + 2 : i + 4], 16))
                i += 4
                continue
        out.append(b)
        i += 1
    return bytes(out)


def junk_reason(relpath: str) -> str | None:
    parts = [p for p in relpath.split("/") if p]
    for part in parts[:-1]:
        if part.lower() in JUNK_DIRS:
            return f"operating-system metadata folder ({part})"
    return junk_file_reason(parts[-1] if parts else relpath)


def junk_file_reason(name: str) -> str | None:
    """Why a file of this name is OS junk, or None (the folders it is in aside)."""
    if name.startswith("._"):
        return "macOS resource fork (AppleDouble) file"
    if len(name) <= _JUNK_NAME_MAX and name.lower() in JUNK_FILES:
        return "operating-system metadata file"
    return None


def is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def _mtime_ms(st: os.stat_result) -> int:
    return int(st.st_mtime * 1000)


def special_file_reason(mode: int) -> str:
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return f"not a regular file ({kind}): not opened"


def _link_reason(path: str) -> str:
    try:
        target = escape_name(os.readlink(path))
    except OSError as exc:
        target = f"unreadable target: {exc.strerror or exc}"
    return f"symbolic link to {target} (links are not followed)"


def too_big_reason(size: int, limit: int) -> str:
    return f"larger than the size limit ({size} bytes; the limit is {limit}, see --max-file-size)"


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """Open a file read-only without following a link or blocking on a FIFO; raise
    OSError, or ValueError (with the reason) when it is not a regular file."""
    fd = os.open(path, OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(special_file_reason(st.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd, st


# -- scanning ---------------------------------------------------------------------------------
def command_line_path(raw: str | Path) -> Path:
    """A path as the user typed it: absolute, and, when it is itself a symbolic link, the
    file or folder it points to (the user chose it; provenance names the real file)."""
    path = Path(raw).expanduser().absolute()
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    return path


def scan(paths: Sequence[str | Path], limits: ScanLimits | None = None) -> Iterator[SourceItem]:
    """Yield every item under ``paths`` in a stable order (sorted names)."""
    lim = limits or ScanLimits()
    for raw in paths:
        path = command_line_path(raw)
        root = escape_name(str(path.parent))
        name = escape_name(path.name)
        try:
            st = path.lstat()
        except FileNotFoundError:
            yield SourceItem(root, name, None, None, None, None, error="no such file or folder")
            continue
        except OSError as exc:
            yield SourceItem(
                root, name, None, None, None, None, error=f"cannot read: {exc.strerror or exc}"
            )
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _scan_dir(path, lim)
        else:
            yield from _scan_file(root, name, str(path), st, lim)


def _walk(
    top: str, *, enter_junk: bool = False
) -> Iterator[tuple[str, os.DirEntry[str] | OSError]]:
    """(relative path, entry) of everything under ``top`` in sorted order, depth first,
    without recursion (a tree of any depth); folders are entered, never links to them.
    An unlistable folder gives (its relative path, the OSError)."""
    try:
        with os.scandir(top) as it:
            first = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield "", exc
        return
    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [("", iter(first))]
    while stack:
        rel, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if not name.isascii() or "\\" in name:  # (the common case costs no call)
            name = escape_name(name)
        relpath = f"{rel}/{name}" if rel else name
        yield relpath, entry
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir and (enter_junk or entry.name.lower() not in JUNK_DIRS):
            try:
                with os.scandir(entry.path) as it:
                    children = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                yield relpath, exc
                continue
            stack.append((relpath, iter(children)))


def _scan_dir(root: Path, lim: ScanLimits) -> Iterator[SourceItem]:
    root_s = escape_name(str(root))
    for relpath, entry in _walk(str(root)):
        if isinstance(entry, OSError):
            yield SourceItem(
                root_s,
                relpath or ".",
                None,
                None,
                None,
                None,
                error=f"cannot list folder: {entry.strerror or entry}",
            )
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name.lower() in JUNK_DIRS:
                    yield from _skip_tree(root_s, entry.path, relpath)
                continue
            if entry.is_file(follow_symlinks=False) and not is_zip_name(entry.name):
                # The common case: no stat here (the worker that reads the file takes
                # size and mtime from the open file). Junk folders were handled above.
                reason = junk_file_reason(entry.name)
                if reason:
                    yield SourceItem(root_s, relpath, None, None, None, None, skip_reason=reason)
                else:
                    yield SourceItem(root_s, relpath, entry.path, None, None, None)
                continue
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield SourceItem(
                root_s, relpath, None, None, None, None, error=f"cannot read: {exc.strerror or exc}"
            )
            continue
        yield from _scan_file(root_s, relpath, entry.path, st, lim)


def _skip_tree(root: str, folder: str, rel: str) -> Iterator[SourceItem]:
    """Report every file under a junk folder as skipped (every file is accounted for)."""
    reason = junk_reason(rel + "/x") or "operating-system metadata folder"
    for sub, entry in _walk(folder, enter_junk=True):
        if isinstance(entry, OSError):
            yield SourceItem(
                root,
                f"{rel}/{sub}" if sub else rel,
                None,
                None,
                None,
                None,
                skip_reason=reason,
            )
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            pass
        yield SourceItem(root, f"{rel}/{sub}", None, None, None, None, skip_reason=reason)


def scan_found_file(
    root: str,
    relpath: str,
    limits: ScanLimits | None = None,
    *,
    already: Container[tuple[str, int | None, int | None]] | None = None,
) -> Generator[SourceItem, None, None]:
    """The items of one file found under the folder ``root`` (a folder watcher's): the file
    itself, or a zip archive's members, with the checks and limits of ``scan``. Members
    whose ``(relpath, size, mtime_ms)`` is in ``already`` (recorded before) are left out
    without being inflated. A zip archive that cannot be opened at all gives one item, named
    as the archive, with its ``error``."""
    lim = limits or ScanLimits()
    path = os.path.join(root, *relpath.split("/"))
    try:
        st = os.lstat(path)
    except OSError as exc:
        yield SourceItem(
            root, relpath, None, None, None, None, error=f"cannot read: {exc.strerror or exc}"
        )
        return
    yield from _scan_file(root, relpath, path, st, lim, _Budget(already=already))


def _scan_file(
    root: str,
    relpath: str,
    path: str,
    st: os.stat_result,
    lim: ScanLimits,
    budget: _Budget | None = None,
) -> Iterator[SourceItem]:
    size = st.st_size
    mtime = _mtime_ms(st)
    if stat.S_ISLNK(st.st_mode):
        yield SourceItem(root, relpath, None, None, None, mtime, skip_reason=_link_reason(path))
        return
    if not stat.S_ISREG(st.st_mode):
        special = special_file_reason(st.st_mode)
        yield SourceItem(root, relpath, None, None, None, mtime, skip_reason=special)
        return
    reason = junk_reason(relpath)
    if reason:
        yield SourceItem(root, relpath, None, None, size, mtime, skip_reason=reason)
        return
    if size > lim.max_file_bytes and not is_zip_name(relpath):
        yield SourceItem(
            root, relpath, None, None, size, mtime, error=too_big_reason(size, lim.max_file_bytes)
        )
        return
    if is_zip_name(relpath):
        try:
            fd, st = open_regular(path)
        except ValueError as exc:
            yield SourceItem(root, relpath, None, None, None, mtime, skip_reason=str(exc))
            return
        except OSError as exc:
            yield SourceItem(
                root, relpath, None, None, size, mtime, error=f"cannot read: {exc.strerror or exc}"
            )
            return
        with os.fdopen(fd, "rb") as fh:
            yield from _scan_archive(root, relpath, fh, size, mtime, 1, budget or _Budget(), lim)
        return
    yield SourceItem(root, relpath, path, None, size, mtime)


# -- zip archives -----------------------------------------------------------------------------
@dataclass(slots=True)
class _Budget:
    """Inflated bytes used by one archive given on the command line (nested ones included),
    and the members (relpath, size, mtime_ms) recorded before, which are not read again."""

    used: int = 0
    already: Container[tuple[str, int | None, int | None]] | None = None


def _zip_mtime(info: zipfile.ZipInfo) -> int | None:
    import calendar

    try:
        return calendar.timegm((*info.date_time, 0, 0, 0)) * 1000
    except (ValueError, OverflowError):
        return None


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def _central_directory(fh: IO[bytes], size: int) -> tuple[int, int, int] | None:
    """(entries, offset, size) of the central directory as the end record declares them,
    read without parsing a single entry; None when there is no end record."""
    tail_len = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    _sig, _d, _dcd, _n_here, entries, cd_size, cd_offset, _c = struct.unpack(
        "<4sHHHHIIH", tail[at : at + 22]
    )
    if entries == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        loc_at = at - 20
        if loc_at >= 0 and tail[loc_at : loc_at + 4] == _EOCD64_LOCATOR:
            (eocd64_offset,) = struct.unpack("<Q", tail[loc_at + 8 : loc_at + 16])
            fh.seek(eocd64_offset)
            rec = fh.read(56)
            if len(rec) == 56 and rec[:4] == _EOCD64:
                entries, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
    return entries, cd_offset, cd_size


class _FlagFixer(io.RawIOBase):
    """A read-only view of an archive whose central directory says "UTF-8 names" for
    names that are not UTF-8: the flag is cleared in what ``zipfile`` reads, so the
    archive opens (those names read as code page 437) and only the members concerned
    fail, when they are read, instead of the whole archive."""

    def __init__(self, fh: IO[bytes], cd_offset: int, cd: bytes) -> None:
        self._fh = fh
        self._start = cd_offset
        self._cd = cd
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = self._fh.seek(pos, whence)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        self._fh.seek(self._pos)
        data = self._fh.read(len(buf))
        lo, hi = self._start, self._start + len(self._cd)
        if data and self._pos < hi and self._pos + len(data) > lo:
            patched = bytearray(data)
            a = max(lo, self._pos)
            b = min(hi, self._pos + len(data))
            patched[a - self._pos : b - self._pos] = self._cd[a - lo : b - lo]
            data = bytes(patched)
        n = len(data)
        buf[:n] = data
        self._pos += n
        return n


def _fixed_central_directory(
    fh: IO[bytes], cd_offset: int, cd_size: int
) -> tuple[bytes, set[bytes]]:
    fh.seek(cd_offset)
    patched: set[bytes] = set()
    cd = bytearray(fh.read(cd_size))
    i = 0
    while i + 46 <= len(cd) and cd[i : i + 4] == b"PK\x01\x02":
        (flags,) = struct.unpack("<H", cd[i + 8 : i + 10])
        n, m, k = struct.unpack("<HHH", cd[i + 28 : i + 34])
        name = bytes(cd[i + 46 : i + 46 + n])
        if flags & 0x800:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                struct.pack_into("<H", cd, i + 8, flags & ~0x800)
                patched.add(name)
        i += 46 + n + m + k
    return bytes(cd), patched


def _open_zip(fh: IO[bytes], size: int, lim: ScanLimits) -> tuple[zipfile.ZipFile, set[bytes]]:
    """Open an archive after checking its declared member count; raises ValueError with
    the reason for an archive that is refused, zipfile/OS errors for unreadable ones.
    Also returns the names (bytes) falsely flagged as UTF-8 (see _FlagFixer)."""
    cd = _central_directory(fh, size)
    if cd is not None and cd[0] > lim.max_zip_members:
        raise ValueError(f"archive refused: {cd[0]} members (the limit is {lim.max_zip_members})")
    fh.seek(0)
    try:
        return zipfile.ZipFile(fh), set()
    except UnicodeDecodeError:
        if cd is None:
            raise zipfile.BadZipFile("member names that are not UTF-8") from None
        fixed, patched = _fixed_central_directory(fh, cd[1], cd[2])
        view = io.BufferedReader(_FlagFixer(fh, cd[1], fixed))
        return zipfile.ZipFile(view), patched


def _scan_archive(
    root: str,
    relpath: str,
    fh: IO[bytes],
    size: int,
    mtime: int | None,
    depth: int,
    budget: _Budget,
    lim: ScanLimits,
) -> Iterator[SourceItem]:
    try:
        zf, not_utf8 = _open_zip(fh, size, lim)
    except ValueError as exc:
        yield SourceItem(root, relpath, None, None, size, mtime, error=str(exc))
        return
    except OSError as exc:
        yield SourceItem(
            root, relpath, None, None, size, mtime, error=f"cannot read: {exc.strerror or exc}"
        )
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error) as exc:
        yield SourceItem(
            root, relpath, None, None, size, mtime, error=f"not a readable zip archive ({exc})"
        )
        return
    except Exception as exc:  # zipfile raises more than it documents on crafted input
        yield SourceItem(
            root,
            relpath,
            None,
            None,
            size,
            mtime,
            error=f"not a readable zip archive ({type(exc).__name__}: {exc})",
        )
        return
    with zf:
        try:
            yield from _scan_zip(root, relpath, zf, depth, budget, lim, not_utf8)
        except Exception as exc:  # damage no check above foresaw: the rest of it only
            yield SourceItem(
                root,
                relpath,
                None,
                None,
                size,
                mtime,
                error=f"the rest of this archive could not be read ({type(exc).__name__}: {exc})",
            )


def _member_problems(infos: list[zipfile.ZipInfo]) -> dict[int, str]:
    """Members refused for the archive's structure, by id(): repeated names, and entries
    whose data overlaps another's (the trick of "non-recursive" zip bombs, where many
    entries inflate the same compressed bytes)."""
    problems: dict[int, str] = {}
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            problems[id(info)] = "repeated entry: the archive holds an earlier member of this name"
        seen.add(info.filename)
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for prev, cur in itertools.pairwise(by_offset):
        if prev.header_offset + prev.compress_size > cur.header_offset:
            problems.setdefault(
                id(cur), "overlapping entry: its data overlaps another member's (a zip bomb)"
            )
    return problems


def _scan_zip(
    root: str,
    prefix: str,
    zf: zipfile.ZipFile,
    depth: int,
    budget: _Budget,
    lim: ScanLimits,
    not_utf8: set[bytes],
) -> Iterator[SourceItem]:
    infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
    problems = _member_problems(infos)
    infos.sort(key=lambda i: i.filename)
    for info in infos:
        name = escape_name(info.filename)
        if not_utf8:
            try:
                raw = info.orig_filename.encode("cp437")
            except UnicodeEncodeError:
                raw = b""
            if raw in not_utf8:  # flagged UTF-8 but not: its exact bytes, escaped
                name = escape_name_bytes(raw)
        member = name.replace("\\\\", "/") if "\\\\" in name else name
        member = member.lstrip("/") or "(no name)"
        relpath = f"{prefix}/{member}"
        mmtime = _zip_mtime(info)
        reason = junk_reason(member)

        def rejected(
            why: str, relpath: str = relpath, mtime: int | None = mmtime, size: int = info.file_size
        ) -> SourceItem:
            return SourceItem(root, relpath, None, None, size, mtime, error=why)

        if budget.already is not None and (relpath, info.file_size, mmtime) in budget.already:
            continue
        if reason:
            yield SourceItem(root, relpath, None, None, info.file_size, mmtime, skip_reason=reason)
            continue
        problem = problems.get(id(info))
        if problem is not None:
            yield rejected(problem)
            continue
        if info.flag_bits & 0x1:
            yield rejected("encrypted zip member (password-protected archives are not supported)")
            continue
        if info.file_size > lim.max_file_bytes:
            yield rejected(f"zip member {too_big_reason(info.file_size, lim.max_file_bytes)}")
            continue
        if info.file_size > RATIO_MIN_BYTES and info.file_size > lim.max_zip_ratio * max(
            info.compress_size, 1
        ):
            yield rejected(
                f"zip member inflates {info.file_size // max(info.compress_size, 1)} times "
                f"(the limit is {lim.max_zip_ratio}: a zip bomb)"
            )
            continue
        if budget.used + info.file_size > lim.max_zip_total_bytes:
            yield rejected(
                f"the archive inflates to more than {lim.max_zip_total_bytes} bytes "
                "(the limit for one archive, nested ones included)"
            )
            continue
        budget.used += info.file_size
        try:
            data = zf.read(info)
        except UnicodeDecodeError:
            yield rejected("zip member whose name is not UTF-8, though the archive says it is")
            continue
        except Exception as exc:  # any damage in one member's data: that member only
            yield rejected(f"cannot read zip member ({type(exc).__name__}: {exc})")
            continue
        if is_zip_name(member):
            if depth >= lim.max_zip_depth:
                yield rejected(f"zip archive nested more than {lim.max_zip_depth} deep")
                continue
            yield from _scan_archive(
                root, relpath, io.BytesIO(data), len(data), mmtime, depth + 1, budget, lim
            )
            continue
        yield SourceItem(root, relpath, None, data, len(data), mmtime)


# -- counting ---------------------------------------------------------------------------------
def count(paths: Sequence[str | Path], limits: ScanLimits | None = None) -> tuple[int, int]:
    """Quick pre-pass for progress: (files, bytes) that ``scan`` will yield, so that bytes
    done and time left are true from the first file. Files in folders are sized from their
    directory entries (one ``lstat`` each, no open, no link followed); OS junk and what
    ``scan`` skips adds no bytes, as the import counts none for it."""
    lim = limits or ScanLimits()
    files = 0
    total = 0
    for raw in paths:
        path = command_line_path(raw)
        try:
            st = path.lstat()
        except OSError:
            files += 1
            continue
        if stat.S_ISDIR(st.st_mode):
            f, b = _count_dir(str(path), lim)
            files += f
            total += b
        else:
            f, b = _count_file(str(path), lim)
            files += f
            total += b
    return files, total


def _count_dir(folder: str, lim: ScanLimits) -> tuple[int, int]:
    files = 0
    total = 0
    for rel, entry in _walk(folder, enter_junk=True):
        if isinstance(entry, OSError):
            files += 1  # scan reports the folder it cannot list as one rejected item
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                continue
            if is_zip_name(entry.name) and entry.is_file(follow_symlinks=False):
                f, b = _count_file(entry.path, lim)
                files += f
                total += b
                continue
            files += 1
            if entry.is_file(follow_symlinks=False) and junk_reason(rel) is None:
                total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return files, total


def _count_file(full: str, lim: ScanLimits) -> tuple[int, int]:
    try:
        fd, st = open_regular(full)
    except (OSError, ValueError):
        return 1, 0
    with os.fdopen(fd, "rb") as fh:
        if is_zip_name(full):
            try:
                zf, _names = _open_zip(fh, st.st_size, lim)
                with zf:
                    infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
                    return max(1, len(infos)), sum(i.file_size for i in infos)
            except Exception:  # any damage: scan() says what; here it is one file
                return 1, st.st_size
    return 1, st.st_size
