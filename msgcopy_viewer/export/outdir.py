"""Report folders built under a temporary name beside the target and renamed into place.

An interrupted or cancelled export never leaves a half-written folder that looks
complete, and nothing that exists is overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from msgcopy_viewer.export.atomic import current_umask

Progress = Callable[[int], None]  # messages done so far; may raise ExportCancelled


class ExportError(Exception):
    """The export cannot be done; ``str()`` says why in plain words."""


class ExportCancelled(Exception):
    """The user cancelled; nothing was left behind."""


def check_new_dir(outdir: Path) -> Path:
    outdir = Path(outdir).absolute()
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise ExportError(
            f"{outdir} already exists and is not an empty folder; "
            "give a new folder (nothing is ever overwritten)"
        )
    if not outdir.parent.is_dir():
        raise ExportError(f"the folder {outdir.parent} does not exist")
    return outdir


@contextmanager
def building_dir(outdir: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``outdir``; renamed to ``outdir`` on success,
    removed on any error."""
    outdir = check_new_dir(outdir)
    try:
        work = Path(
            tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".partial", dir=outdir.parent)
        )
    except OSError as exc:
        raise ExportError(f"cannot write in {outdir.parent}: {exc.strerror or exc}") from exc
    os.chmod(
        work, 0o777 & ~current_umask()
    )  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield work
        if outdir.exists():
            outdir.rmdir()
        os.replace(work, outdir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


@contextmanager
def building_file(path: Path) -> Iterator[Path]:
    """Yield a temporary file name beside ``path``; renamed over it on success."""
    path = Path(path).absolute()
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); the result is an ordinary file, with the
        # permissions the user's umask gives any new file (as the CSV and JSONL get)
        os.chmod(tmp, 0o666 & ~current_umask())
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # on the disk before it takes the name
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
