"""The loaded Qt's and PySide6's versions (QtCore only: no widgets, no display needed)."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion


def qt_versions() -> tuple[str, str]:
    """``(Qt version, PySide6 version)`` of the libraries this process loads."""
    return qVersion(), PySide6.__version__
