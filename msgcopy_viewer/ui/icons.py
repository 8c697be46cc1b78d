"""The app's icons: small hand-written SVGs in ``resources/icons`` (the package
``msgcopy_viewer.resources``, read through ``importlib.resources``).

Loaded with ``QIcon(path)`` so Qt's SVG icon engine renders them at any device pixel ratio.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QIcon

from msgcopy_viewer.about import resource

# Installed packages and bundles hold the icons as plain files, which ``as_file`` returns
# as they are; from a zip it extracts them once, for as long as the process runs.
_files = ExitStack()
atexit.register(_files.close)

NAMES = (
    "app",
    "import",
    "open",
    "warning",
    "attachment",
    "audio",
    "video",
    "contact",
    "image",
    "search",
    "sent",
    "received",
    "ledger",
    "cancel",
)


@cache
def icon_path(name: str) -> Path:
    return _files.enter_context(resources.as_file(resource("icons", f"{name}.svg")))


@cache
def icon(name: str) -> QIcon:
    """The named icon (an empty QIcon if the file is missing, so a typo never crashes)."""
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("app")
