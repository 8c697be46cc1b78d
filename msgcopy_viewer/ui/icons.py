"""The app's icons: small hand-written SVGs under ``msgcopy_viewer/resources/icons``.

Loaded with ``QIcon(path)`` so Qt's SVG icon engine renders them at any device pixel ratio.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"

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


def icon_path(name: str) -> Path:
    return ICON_DIR / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """The named icon (an empty QIcon if the file is missing, so a typo never crashes)."""
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("app")
