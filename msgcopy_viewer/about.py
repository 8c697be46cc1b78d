"""What the app is: its id, version, the parts it bundles and their licences, its files.

Qt-free: the Qt and PySide6 versions are passed in by callers that ask QtCore. The app's
own files (icons, the threading rule, the desktop integration files) are the package
``msgcopy_viewer.resources``, built from the top-level ``resources/`` folder, and are read
through ``importlib.resources``, never through a path into the source tree.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable

DIST_NAME = "msgcopy-viewer"
# Reverse-DNS id: the .desktop file, AppStream metainfo, icon name and macOS bundle id.
APP_ID = "io.github.msgcopyviewer.MsgcopyViewer"
MIME_TYPE = "application/x-msgcopy-case"
THREADING_RULE_FILE = "threading-rule.md"


def version() -> str:
    """The installed version, from the package metadata (one source: pyproject.toml)."""
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        # Run from a source tree that was never installed: there is no version to tell.
        return "0+unknown"


@dataclass(frozen=True)
class BundledPart:
    name: str
    licence: str
    url: str = ""


# What an installation (wheel or bundle) of the app carries, and under which licence.
BUNDLED_PARTS: tuple[BundledPart, ...] = (
    BundledPart("msgcopy-viewer", "MIT"),
    BundledPart("Python", "PSF License 2.0", "https://docs.python.org/3/license.html"),
    BundledPart("Qt 6", "LGPL-3.0-only", "https://doc.qt.io/qt-6/lgpl.html"),
    BundledPart("PySide6 (Qt for Python)", "LGPL-3.0-only", "https://doc.qt.io/qtforpython-6/"),
    BundledPart("FFmpeg (in Qt Multimedia)", "LGPL-2.1-or-later", "https://ffmpeg.org/legal.html"),
    BundledPart("Pillow", "MIT-CMU (HPND)", "https://github.com/python-pillow/Pillow"),
    BundledPart(
        "phonenumbers", "Apache-2.0", "https://github.com/daviddrysdale/python-phonenumbers"
    ),
    BundledPart("platformdirs", "MIT", "https://github.com/tox-dev/platformdirs"),
    BundledPart("defusedxml", "PSF License 2.0", "https://github.com/tiran/defusedxml"),
    BundledPart("vobject", "Apache-2.0", "https://github.com/py-vobject/vobject"),
    BundledPart("orjson", "Apache-2.0 OR MIT", "https://github.com/ijl/orjson"),
)


def licences_text() -> str:
    return "\n".join(
        f"{p.name}: {p.licence}" + (f" — {p.url}" if p.url else "") for p in BUNDLED_PARTS
    )


def version_text(qt: str | None, pyside: str | None) -> str:
    """What ``--version`` prints and the About dialog shows, one item a line.

    ``qt`` and ``pyside`` are the loaded Qt library's and binding's versions (None when
    Qt cannot be loaded: the line then says so).
    """
    return "\n".join(
        [
            f"msgcopy-viewer {version()}",
            f"Qt {qt}" if qt else "Qt: not available",
            f"PySide6 {pyside}" if pyside else "PySide6: not available",
            f"Python {platform.python_version()} ({platform.python_implementation()}, "
            f"{sys.platform}, {platform.machine()})",
        ]
    )


def resource(*parts: str) -> Traversable:
    """A file of the app's resources (``resource("icons", "app.svg")``)."""
    node = resources.files("msgcopy_viewer.resources")
    for part in parts:
        node = node / part
    return node


def threading_rule_text() -> str:
    """The threading rule as Markdown: the text the app's Threading Rule dialog shows."""
    return resource(THREADING_RULE_FILE).read_text(encoding="utf-8")
