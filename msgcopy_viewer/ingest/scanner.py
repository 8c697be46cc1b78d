"""Find the files an import covers: folders (recursively), single files, zip archives.

Every regular file is a candidate whatever its extension. OS junk is reported
as skipped. Zip archives (by ``.zip`` extension) are opened read-only and their
members become items named ``archive.zip/member``; a zip inside a zip is
followed the same way. Nothing here writes to the sources.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

JUNK_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
_JUNK_NAME_MAX = max(map(len, JUNK_FILES))
JUNK_DIRS = {"__macosx", ".spotlight-v100", ".trashes", ".fseventsd", "$recycle.bin"}
MAX_MEMBER_BYTES = 1 << 30  # a zip member larger than 1 GiB is refused (zip-bomb guard)
MAX_ZIP_DEPTH = 4


@dataclass(slots=True)
class SourceItem:
    root: str  # absolute folder that ``relpath`` is relative to
    relpath: str  # '/' separators; zip members as "archive.zip/member"
    fs_path: str | None  # a regular file on disk (read it there), or None
    data: bytes | None  # the bytes of a zip member (already read)
    size: int | None
    mtime_ms: int | None
    skip_reason: str | None = None  # set: the item is skipped (OS junk, not a file)
    error: str | None = None  # set: the item is rejected without parsing (unreadable …)


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


def scan(paths: Sequence[str | Path]) -> Iterator[SourceItem]:
    """Yield every item under ``paths`` in a stable order (sorted names)."""
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        try:
            st = path.stat()
        except FileNotFoundError:
            yield SourceItem(
                str(path.parent), path.name, None, None, None, None, error="no such file or folder"
            )
            continue
        except OSError as exc:
            yield SourceItem(
                str(path.parent),
                path.name,
                None,
                None,
                None,
                None,
                error=f"cannot read: {exc.strerror or exc}",
            )
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _scan_dir(path)
        else:
            yield from _scan_file(str(path.parent), path.name, path, st)


def _scan_dir(root: Path) -> Iterator[SourceItem]:
    root_s = str(root)

    def walk(folder: Path, rel: str) -> Iterator[SourceItem]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield SourceItem(
                root_s,
                rel or ".",
                None,
                None,
                None,
                None,
                error=f"cannot list folder: {exc.strerror or exc}",
            )
            return
        for entry in entries:
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name.lower() in JUNK_DIRS:
                        yield from _skip_tree(root_s, Path(entry.path), relpath)
                    else:
                        yield from walk(Path(entry.path), relpath)
                    continue
                if entry.is_file() and not is_zip_name(entry.name):
                    # The common case: no stat here (the worker that reads the file takes
                    # size and mtime from the open file). Junk folders were handled above.
                    reason = junk_file_reason(entry.name)
                    if reason:
                        yield SourceItem(
                            root_s, relpath, None, None, None, None, skip_reason=reason
                        )
                    else:
                        yield SourceItem(root_s, relpath, entry.path, None, None, None)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    yield SourceItem(
                        root_s,
                        relpath,
                        None,
                        None,
                        None,
                        None,
                        skip_reason="symbolic link to a folder (not followed)",
                    )
                    continue
                st = entry.stat()
            except OSError as exc:
                yield SourceItem(
                    root_s,
                    relpath,
                    None,
                    None,
                    None,
                    None,
                    error=f"cannot read: {exc.strerror or exc}",
                )
                continue
            yield from _scan_file(root_s, relpath, Path(entry.path), st)

    yield from walk(root, "")


def _skip_tree(root: str, folder: Path, rel: str) -> Iterator[SourceItem]:
    """Report every file under a junk folder as skipped (every file is accounted for)."""
    reason = junk_reason(rel + "/x") or "operating-system metadata folder"
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        sub = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        for name in sorted(filenames):
            relpath = f"{rel}/{name}" if sub == "." else f"{rel}/{sub}/{name}"
            yield SourceItem(root, relpath, None, None, None, None, skip_reason=reason)


def _scan_file(root: str, relpath: str, path: Path, st: os.stat_result) -> Iterator[SourceItem]:
    size = st.st_size
    mtime = _mtime_ms(st)
    if not stat.S_ISREG(st.st_mode):
        yield SourceItem(
            root,
            relpath,
            None,
            None,
            None,
            mtime,
            skip_reason="not a regular file (device, pipe or socket)",
        )
        return
    reason = junk_reason(relpath)
    if reason:
        yield SourceItem(root, relpath, None, None, size, mtime, skip_reason=reason)
        return
    if is_zip_name(relpath):
        try:
            with path.open("rb") as fh, zipfile.ZipFile(fh) as zf:
                yield from _scan_zip(root, relpath, zf, mtime, depth=1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            yield SourceItem(
                root,
                relpath,
                str(path),
                None,
                size,
                mtime,
                error=f"not a readable zip archive ({exc})",
            )
        except OSError as exc:
            yield SourceItem(
                root, relpath, None, None, size, mtime, error=f"cannot read: {exc.strerror or exc}"
            )
        return
    yield SourceItem(root, relpath, str(path), None, size, mtime)


def _zip_mtime(info: zipfile.ZipInfo) -> int | None:
    import calendar

    try:
        return calendar.timegm((*info.date_time, 0, 0, 0)) * 1000
    except (ValueError, OverflowError):
        return None


def _scan_zip(
    root: str, prefix: str, zf: zipfile.ZipFile, mtime: int | None, depth: int
) -> Iterator[SourceItem]:
    infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    for info in infos:
        member = info.filename.replace("\\", "/").lstrip("/")
        relpath = f"{prefix}/{member}"
        mmtime = _zip_mtime(info)
        reason = junk_reason(member)
        if reason:
            yield SourceItem(root, relpath, None, None, info.file_size, mmtime, skip_reason=reason)
            continue
        if info.flag_bits & 0x1:
            yield SourceItem(
                root,
                relpath,
                None,
                None,
                info.file_size,
                mmtime,
                error="encrypted zip member (password-protected archives are not supported)",
            )
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            yield SourceItem(
                root,
                relpath,
                None,
                None,
                info.file_size,
                mmtime,
                error=f"zip member too large ({info.file_size} bytes)",
            )
            continue
        try:
            data = zf.read(info)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, ValueError) as exc:
            yield SourceItem(
                root,
                relpath,
                None,
                None,
                info.file_size,
                mmtime,
                error=f"cannot read zip member ({exc})",
            )
            continue
        if is_zip_name(member) and depth < MAX_ZIP_DEPTH:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    yield from _scan_zip(root, relpath, inner, mmtime, depth + 1)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
                yield SourceItem(
                    root,
                    relpath,
                    None,
                    None,
                    len(data),
                    mmtime,
                    error=f"not a readable zip archive ({exc})",
                )
            continue
        yield SourceItem(root, relpath, None, data, len(data), mmtime)


def count(paths: Sequence[str | Path]) -> tuple[int, int]:
    """Quick pre-pass for progress: (files, bytes) that ``scan`` will yield, so that bytes
    done and time left are true from the first file. Files in folders are sized from their
    directory entries (one ``stat`` each, no open); OS junk and what ``scan`` skips adds no
    bytes, as the import counts none for it."""
    files = 0
    total = 0
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        if path.is_dir():
            f, b = _count_dir(str(path))
            files += f
            total += b
        elif path.exists():
            f, b = _count_file(str(path))
            files += f
            total += b
        else:
            files += 1
    return files, total


def _count_dir(folder: str) -> tuple[int, int]:
    files = 0
    total = 0
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError:
            files += 1  # scan reports the folder it cannot list as one rejected item
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name.lower() in JUNK_DIRS:
                        files += sum(len(names) for _d, _s, names in os.walk(entry.path))
                    else:
                        pending.append(entry.path)
                    continue
                if is_zip_name(entry.name):
                    f, b = _count_file(entry.path)
                    files += f
                    total += b
                    continue
                files += 1
                if entry.is_file() and junk_file_reason(entry.name) is None:
                    total += entry.stat().st_size
            except OSError:
                continue
    return files, total


def _count_file(full: str) -> tuple[int, int]:
    try:
        size = os.stat(full).st_size
    except OSError:
        return 1, 0
    if is_zip_name(full):
        try:
            with zipfile.ZipFile(full) as zf:
                infos = [i for i in zf.infolist() if not i.is_dir()]
                return max(1, len(infos)), sum(i.file_size for i in infos)
        except (zipfile.BadZipFile, OSError, EOFError):
            return 1, size
    return 1, size
