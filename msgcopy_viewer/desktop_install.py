"""Linux desktop integration for the current user: menu entry, icon, case file type.

``msgcopy-viewer install-desktop`` copies the files that ship in the package (from the
top-level ``resources/`` folder) into the user's XDG data folder (``$XDG_DATA_HOME``,
by default ``~/.local/share``):

* ``applications/APP_ID.desktop`` — the menu entry, its ``Exec`` pointing at this program
* ``icons/hicolor/scalable/apps/APP_ID.svg`` — the app icon
* ``mime/packages/APP_ID.xml`` — the ``application/x-msgcopy-case`` type for ``*.mcase``
* ``metainfo/APP_ID.metainfo.xml`` — the AppStream description (software centres)

then refreshes the MIME and desktop databases when their tools are installed, so ``.mcase``
files open with the app. ``--uninstall`` removes the same files.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from msgcopy_viewer.about import APP_ID, resource


class DesktopInstallError(Exception):
    """The files could not be installed or removed (the message says which and why)."""


@dataclass(frozen=True)
class InstalledFile:
    source: tuple[str, ...]  # path inside msgcopy_viewer.resources
    target: str  # path under the XDG data folder


FILES = (
    InstalledFile((f"{APP_ID}.desktop",), f"applications/{APP_ID}.desktop"),
    InstalledFile(("icons", "app.svg"), f"icons/hicolor/scalable/apps/{APP_ID}.svg"),
    InstalledFile((f"{APP_ID}.mime.xml",), f"mime/packages/{APP_ID}.xml"),
    InstalledFile((f"{APP_ID}.metainfo.xml",), f"metainfo/{APP_ID}.metainfo.xml"),
)


def xdg_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec: a relative or empty value is ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def default_executable() -> str:
    """The program the menu entry should start: this bundle, or the installed script."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle
        return str(Path(sys.executable).resolve())
    argv0 = Path(sys.argv[0])
    if argv0.name == "msgcopy-viewer" and argv0.exists():
        return str(argv0.resolve())
    found = shutil.which("msgcopy-viewer")
    if found:
        return str(Path(found).resolve())
    raise DesktopInstallError(
        "cannot tell where the msgcopy-viewer program is; give it with --exec PATH"
    )


def desktop_entry(executable: str) -> str:
    """The packaged .desktop file with ``Exec`` naming ``executable``."""
    text = resource(f"{APP_ID}.desktop").read_text(encoding="utf-8")
    # Desktop Entry spec: quote the program if needed; a '%' would be a field code.
    program = shlex.quote(executable).replace("%", "%%")
    lines = [
        f"Exec={program} %f" if line.startswith("Exec=") else line for line in text.splitlines()
    ]
    return "\n".join(lines) + "\n"


def _refresh(data_home: Path) -> list[str]:
    """Run the cache tools that are installed; return what ran."""
    ran = []
    for tool, arg in (
        ("update-mime-database", data_home / "mime"),
        ("update-desktop-database", data_home / "applications"),
    ):
        if shutil.which(tool) and arg.is_dir():
            subprocess.run([tool, str(arg)], check=False, capture_output=True)
            ran.append(tool)
    return ran


def install(executable: str, data_home: Path | None = None) -> list[Path]:
    """Install the files; return their paths."""
    home = data_home or xdg_data_home()
    written = []
    try:
        for f in FILES:
            target = home / f.target
            target.parent.mkdir(parents=True, exist_ok=True)
            if f.target.startswith("applications/"):
                data = desktop_entry(executable).encode("utf-8")
            else:
                data = resource(*f.source).read_bytes()
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
            written.append(target)
    except OSError as exc:
        raise DesktopInstallError(f"cannot write {exc.filename}: {exc.strerror}") from exc
    _refresh(home)
    return written


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove the files; return those that were there."""
    home = data_home or xdg_data_home()
    removed = []
    for f in FILES:
        target = home / f.target
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopInstallError(f"cannot remove {target}: {exc.strerror}") from exc
        removed.append(target)
    _refresh(home)
    return removed
